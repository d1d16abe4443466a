"""LibreCat's controlled values and what they become in RDF.

The type → COAR table is LibreCat's own (``librecat_controlled_lists.json``);
the four types LibreCat leaves without a COAR IRI are filled from the COAR
Resource Types vocabulary and marked as ours.
"""

from __future__ import annotations

from typing import Final

from kg.rdf import IRI
from kg.vocab import BIBO, BIBO_DEGREES, BIBO_STATUS, DCMITYPE, FABIO

COAR_TYPE: Final = "http://purl.org/coar/resource_type/"

# type → (most specific standard class, COAR resource type code)
PUBLICATION_TYPES: Final[dict[str, tuple[IRI, str]]] = {
    "journal_article": (BIBO.AcademicArticle, "c_6501"),
    "review": (FABIO.Review, "c_efa0"),
    "book_chapter": (BIBO.Chapter, "c_3248"),
    "encyclopedia_article": (FABIO.ReferenceEntry, "c_3248"),
    "book": (BIBO.Book, "c_2f33"),
    "book_editor": (BIBO.EditedBook, "c_2f33"),
    "preprint": (BIBO.Manuscript, "c_816b"),
    "working_paper": (FABIO.WorkingPaper, "c_8042"),
    "report": (BIBO.Report, "c_93fc"),
    "patent": (BIBO.Patent, "c_15cd"),
    "conference_abstract": (FABIO.Abstract, "c_c94f"),
    "conference": (FABIO.ConferencePaper, "c_5794"),
    "conference_editor": (BIBO.Proceedings, "c_f744"),
    "dissertation": (BIBO.Thesis, "c_46ec"),
    "software": (DCMITYPE.Software, "c_5ce6"),
    "research_data": (DCMITYPE.Dataset, "c_ddb1"),
    # Not in LibreCat's table; COAR codes chosen by kg.
    "journal_editor": (BIBO.Issue, "c_0640"),  # COAR "journal"
    "newspaper_article": (FABIO.NewspaperArticle, "c_998f"),  # COAR "newspaper article"
    "translation": (BIBO.Book, "c_2f33"),  # COAR "book"
    "translation_chapter": (BIBO.Chapter, "c_3248"),  # COAR "book part"
}

# Where ISSN/ISBN and the `publication` title belong, by type (DOMAIN.md: ISSN on
# the journal or series node, never on the article).
IN_PERIODICAL: Final = {"journal_article", "review", "newspaper_article", "journal_editor"}
IN_BOOK: Final = {"book_chapter", "encyclopedia_article", "translation_chapter"}
IN_PROCEEDINGS: Final = {"conference", "conference_abstract"}
# Types whose single `page` value is a page count, not a page number.
MONOGRAPHS: Final = {
    "book",
    "book_editor",
    "dissertation",
    "report",
    "working_paper",
    "translation",
    "conference_editor",
    "preprint",
    "patent",
    "research_data",
    "software",
}

ARTICLE_TYPES: Final = {
    "original": FABIO.ResearchPaper,
    "review": FABIO.ReviewArticle,
    "letter_note": FABIO.Letter,
}

PUBLICATION_STATUS: Final = {
    "published": BIBO_STATUS.published,
    "epub_ahead": BIBO_STATUS.published,
    "accepted": BIBO_STATUS.accepted,
    "inpress": BIBO_STATUS.forthcoming,
    "draft": BIBO_STATUS.draft,
    "submitted": BIBO_STATUS.unpublished,
    "unpublished": BIBO_STATUS.unpublished,
}

# degree_awarded (instance-specific free text) → BIBO degree individual.
DEGREES: Final = {
    "phd": BIBO_DEGREES.phd,
    "ph.d.": BIBO_DEGREES.phd,
    "dr": BIBO_DEGREES.phd,
    "doctoral": BIBO_DEGREES.phd,
    "doctorate": BIBO_DEGREES.phd,
    "ms": BIBO_DEGREES.ms,
    "msc": BIBO_DEGREES.ms,
    "m.sc.": BIBO_DEGREES.ms,
    "master": BIBO_DEGREES.ms,
    "masters": BIBO_DEGREES.ms,
    "ma": BIBO_DEGREES.ma,
    "m.a.": BIBO_DEGREES.ma,
}
DOCTORAL_DEGREES: Final = {BIBO_DEGREES.phd}

LICENSES: Final = {
    "cc_0_1_0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "cc_by_4_0": "https://creativecommons.org/licenses/by/4.0/",
    "cc_by_sa_4_0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc_by_nd_4_0": "https://creativecommons.org/licenses/by-nd/4.0/",
    "cc_by_nc_4_0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "cc_by_nc_sa_4_0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "cc_by_nc_nd_4_0": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "pddl_1_0": "https://opendatacommons.org/licenses/pddl/1-0/",
    "odc-by_1_0": "https://opendatacommons.org/licenses/by/1-0/",
    "odbl_1_0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "cc_by_3_0": "https://creativecommons.org/licenses/by/3.0/",
    "cc_by_sa_3_0": "https://creativecommons.org/licenses/by-sa/3.0/",
    "cc_by_nd_3_0": "https://creativecommons.org/licenses/by-nd/3.0/",
    "cc_by_nc_3_0": "https://creativecommons.org/licenses/by-nc/3.0/",
    "cc_by_nc_sa_3_0": "https://creativecommons.org/licenses/by-nc-sa/3.0/",
    "cc_by_nc_nd_3_0": "https://creativecommons.org/licenses/by-nc-nd/3.0/",
    "apache_2_0": "https://opensource.org/licenses/Apache-2.0",
    "bsd-3-clause": "https://opensource.org/licenses/BSD-3-Clause",
    "bsd-2-clause": "https://opensource.org/licenses/BSD-2-Clause",
    "gpl_3_0": "https://opensource.org/licenses/GPL-3.0",
    "lgpl_3_0": "https://opensource.org/licenses/LGPL-3.0",
    "mit": "https://opensource.org/licenses/MIT",
    "mpl_2_0": "https://opensource.org/licenses/MPL-2.0",
}
# The same as IRIs, made once: a record's licence and COAR type are terms of these fixed lists.
LICENSE_IRIS: Final[dict[str, IRI]] = {key: IRI(uri) for key, uri in LICENSES.items()}
COAR_TYPES: Final[dict[str, IRI]] = {name: IRI(COAR_TYPE + code) for name, (_, code) in PUBLICATION_TYPES.items()}

OPEN_ACCESS: Final = IRI("http://purl.org/coar/access_right/c_abf2")

# ISO 639-2/B (LibreCat) → BCP 47. Where ISO 639-1 has a two-letter code BCP 47
# requires it; otherwise the ISO 639-2/T code is the BCP 47 subtag.
_LANGUAGE_PAIRS: Final = """
aar:aa abk:ab afr:af aka:ak alb:sq amh:am ara:ar arg:an arm:hy asm:as ava:av ave:ae
aym:ay aze:az bak:ba bam:bm baq:eu bel:be ben:bn bis:bi bos:bs bre:br bul:bg bur:my
cat:ca cha:ch che:ce chi:zh chu:cu chv:cv cor:kw cos:co cre:cr cze:cs dan:da div:dv
dut:nl dzo:dz eng:en epo:eo est:et ewe:ee fao:fo fij:fj fin:fi fre:fr fry:fy ful:ff
geo:ka ger:de gla:gd gle:ga glg:gl glv:gv gre:el grn:gn guj:gu hat:ht hau:ha heb:he
her:hz hin:hi hmo:ho hrv:hr hun:hu ibo:ig ice:is ido:io iii:ii iku:iu ile:ie ina:ia
ind:id ipk:ik ita:it jav:jv jpn:ja kal:kl kan:kn kas:ks kau:kr kaz:kk khm:km kik:ki
kin:rw kir:ky kom:kv kon:kg kor:ko kua:kj kur:ku lao:lo lat:la lav:lv lim:li lin:ln
lit:lt ltz:lb lub:lu lug:lg mac:mk mah:mh mal:ml mao:mi mar:mr may:ms mlg:mg mlt:mt
mon:mn nau:na nav:nv nbl:nr nde:nd ndo:ng nep:ne nno:nn nob:nb nor:no nya:ny oci:oc
oji:oj ori:or orm:om oss:os pan:pa per:fa pli:pi pol:pl por:pt pus:ps que:qu roh:rm
rum:ro run:rn rus:ru sag:sg san:sa sin:si slo:sk slv:sl sme:se smo:sm sna:sn snd:sd
som:so sot:st spa:es srd:sc srp:sr ssw:ss sun:su swa:sw swe:sv tah:ty tam:ta tat:tt
tel:te tgk:tg tgl:tl tha:th tib:bo tir:ti ton:to tsn:tn tso:ts tuk:tk tur:tr twi:tw
uig:ug ukr:uk urd:ur uzb:uz ven:ve vie:vi vol:vo wel:cy wln:wa wol:wo xho:xh yid:yi
yor:yo zha:za zul:zu
"""
LANGUAGE_TAGS: Final[dict[str, str]] = dict(pair.split(":") for pair in _LANGUAGE_PAIRS.split())
# Some exports use ISO 639-2/T codes; accept them too.
_TERMINOLOGIC: Final = {
    "deu": "de",
    "fra": "fr",
    "nld": "nl",
    "ces": "cs",
    "zho": "zh",
    "ell": "el",
    "fas": "fa",
    "isl": "is",
    "ron": "ro",
    "slk": "sk",
    "sqi": "sq",
    "hye": "hy",
    "eus": "eu",
    "mya": "my",
    "kat": "ka",
    "mkd": "mk",
    "mri": "mi",
    "msa": "ms",
    "bod": "bo",
    "cym": "cy",
}
LANGUAGE_TAGS.update(_TERMINOLOGIC)
