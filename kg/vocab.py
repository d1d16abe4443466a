"""Every vocabulary term kg emits, in one place.

Each namespace is a class whose attributes are the terms kg uses of it, so that a typo
in a mapping rule (``BIBO.startPage``) is a type error when kg is built and an
AttributeError when it runs, never a term that does not exist. The lists are checked
against the vocabulary files in ``ontologies/`` by the test suite. The namespaces are
compiled constants (``Final``): reading a term in the mapping is a field access, not
two dictionary lookups (about a twentieth of a conversion's time when it was).
"""

from __future__ import annotations

from typing import Final

from kg.rdf import IRI


class Namespace:
    """A vocabulary namespace: its prefix, its base IRI and the terms kg uses of it."""

    def __init__(self, prefix: str, base: str) -> None:
        self.prefix = prefix
        self.base = base
        self._terms: list[IRI] = []

    def term(self, name: str) -> IRI:
        """The term *name* of this namespace, listed among its terms."""
        iri = IRI(self.base + name)
        self._terms.append(iri)
        return iri

    def terms(self) -> list[IRI]:
        return list(self._terms)


class _Rdf(Namespace):
    def __init__(self) -> None:
        super().__init__("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#")
        self.type = self.term("type")
        self.Seq = self.term("Seq")
        self.value = self.term("value")


RDF: Final = _Rdf()


class _Rdfs(Namespace):
    def __init__(self) -> None:
        super().__init__("rdfs", "http://www.w3.org/2000/01/rdf-schema#")
        self.label = self.term("label")
        self.comment = self.term("comment")
        self.seeAlso = self.term("seeAlso")


RDFS: Final = _Rdfs()


class _Xsd(Namespace):
    def __init__(self) -> None:
        super().__init__("xsd", "http://www.w3.org/2001/XMLSchema#")
        self.string = self.term("string")
        self.date = self.term("date")
        self.dateTime = self.term("dateTime")
        self.gYear = self.term("gYear")
        self.gYearMonth = self.term("gYearMonth")
        self.integer = self.term("integer")
        self.nonNegativeInteger = self.term("nonNegativeInteger")
        self.hexBinary = self.term("hexBinary")


XSD: Final = _Xsd()


class _Owl(Namespace):
    def __init__(self) -> None:
        super().__init__("owl", "http://www.w3.org/2002/07/owl#")
        self.sameAs = self.term("sameAs")


OWL: Final = _Owl()


class _Dcterms(Namespace):
    def __init__(self) -> None:
        super().__init__("dcterms", "http://purl.org/dc/terms/")
        self.title = self.term("title")
        self.alternative = self.term("alternative")
        self.abstract = self.term("abstract")
        self.issued = self.term("issued")
        self.created = self.term("created")
        self.modified = self.term("modified")
        self.publisher = self.term("publisher")
        self.language = self.term("language")
        self.subject = self.term("subject")
        self.identifier = self.term("identifier")
        self.license = self.term("license")
        self.accessRights = self.term("accessRights")
        self.type = self.term("type")
        self.creator = self.term("creator")
        self.contributor = self.term("contributor")
        self.isPartOf = self.term("isPartOf")
        self.hasPart = self.term("hasPart")
        self.replaces = self.term("replaces")
        self.hasVersion = self.term("hasVersion")
        self.source = self.term("source")
        self.relation = self.term("relation")
        self.references = self.term("references")
        self.tableOfContents = self.term("tableOfContents")
        self.hasFormat = self.term("hasFormat")
        self.bibliographicCitation = self.term("bibliographicCitation")
        self.format = self.term("format")
        self.description = self.term("description")
        self.dateAccepted = self.term("dateAccepted")
        self.isVersionOf = self.term("isVersionOf")
        self.MediaType = self.term("MediaType")
        self.DDC = self.term("DDC")


DCTERMS: Final = _Dcterms()


class _Dcam(Namespace):
    def __init__(self) -> None:
        super().__init__("dcam", "http://purl.org/dc/dcam/")
        self.memberOf = self.term("memberOf")


DCAM: Final = _Dcam()


class _Dcmitype(Namespace):
    def __init__(self) -> None:
        super().__init__("dcmitype", "http://purl.org/dc/dcmitype/")
        self.Dataset = self.term("Dataset")
        self.Software = self.term("Software")


DCMITYPE: Final = _Dcmitype()


class _Foaf(Namespace):
    def __init__(self) -> None:
        super().__init__("foaf", "http://xmlns.com/foaf/0.1/")
        self.Person = self.term("Person")
        self.Organization = self.term("Organization")
        self.Project = self.term("Project")
        self.name = self.term("name")
        self.givenName = self.term("givenName")
        self.familyName = self.term("familyName")
        self.page = self.term("page")
        self.homepage = self.term("homepage")


FOAF: Final = _Foaf()


class _Bibo(Namespace):
    def __init__(self) -> None:
        super().__init__("bibo", "http://purl.org/ontology/bibo/")
        self.Document = self.term("Document")
        self.AcademicArticle = self.term("AcademicArticle")
        self.Article = self.term("Article")
        self.Book = self.term("Book")
        self.EditedBook = self.term("EditedBook")
        self.Chapter = self.term("Chapter")
        self.Thesis = self.term("Thesis")
        self.Report = self.term("Report")
        self.Patent = self.term("Patent")
        self.Manuscript = self.term("Manuscript")
        self.Proceedings = self.term("Proceedings")
        self.Journal = self.term("Journal")
        self.Newspaper = self.term("Newspaper")
        self.Periodical = self.term("Periodical")
        self.Series = self.term("Series")
        self.Issue = self.term("Issue")
        self.Conference = self.term("Conference")
        self.Event = self.term("Event")
        self.Collection = self.term("Collection")
        self.authorList = self.term("authorList")
        self.editorList = self.term("editorList")
        self.editor = self.term("editor")
        self.translator = self.term("translator")
        self.issuer = self.term("issuer")
        self.degree = self.term("degree")
        self.doi = self.term("doi")
        self.issn = self.term("issn")
        self.eissn = self.term("eissn")
        self.isbn = self.term("isbn")
        self.volume = self.term("volume")
        self.issue = self.term("issue")
        self.pageStart = self.term("pageStart")
        self.pageEnd = self.term("pageEnd")
        self.pages = self.term("pages")
        self.numPages = self.term("numPages")
        self.edition = self.term("edition")
        self.number = self.term("number")
        self.pmid = self.term("pmid")
        self.presentedAt = self.term("presentedAt")
        self.status = self.term("status")
        self.cites = self.term("cites")
        self.translationOf = self.term("translationOf")


BIBO: Final = _Bibo()


class _BiboDegrees(Namespace):
    def __init__(self) -> None:
        super().__init__("bibo_degrees", "http://purl.org/ontology/bibo/degrees/")
        self.phd = self.term("phd")
        self.ms = self.term("ms")
        self.ma = self.term("ma")


BIBO_DEGREES: Final = _BiboDegrees()


class _BiboStatus(Namespace):
    def __init__(self) -> None:
        super().__init__("bibo_status", "http://purl.org/ontology/bibo/status/")
        self.published = self.term("published")
        self.accepted = self.term("accepted")
        self.forthcoming = self.term("forthcoming")
        self.draft = self.term("draft")
        self.unpublished = self.term("unpublished")
        self.peerReviewed = self.term("peerReviewed")


BIBO_STATUS: Final = _BiboStatus()


class _Fabio(Namespace):
    def __init__(self) -> None:
        super().__init__("fabio", "http://purl.org/spar/fabio/")
        self.ConferencePaper = self.term("ConferencePaper")
        self.Abstract = self.term("Abstract")
        self.Review = self.term("Review")
        self.ReviewArticle = self.term("ReviewArticle")
        self.ResearchPaper = self.term("ResearchPaper")
        self.Letter = self.term("Letter")
        self.DoctoralThesis = self.term("DoctoralThesis")
        self.MastersThesis = self.term("MastersThesis")
        self.WorkingPaper = self.term("WorkingPaper")
        self.NewspaperArticle = self.term("NewspaperArticle")
        self.ReferenceEntry = self.term("ReferenceEntry")
        self.hasArXivId = self.term("hasArXivId")


FABIO: Final = _Fabio()


class _Frapo(Namespace):
    def __init__(self) -> None:
        super().__init__("frapo", "http://purl.org/cerif/frapo/")
        self.Grant = self.term("Grant")
        self.FundingAgency = self.term("FundingAgency")
        self.hasGrantNumber = self.term("hasGrantNumber")
        self.hasCallIdentifier = self.term("hasCallIdentifier")
        self.isFundedBy = self.term("isFundedBy")
        self.funds = self.term("funds")
        self.isOutputOf = self.term("isOutputOf")
        self.hasORCID = self.term("hasORCID")
        self.hasFunderIdentifier = self.term("hasFunderIdentifier")
        self.hasAcronym = self.term("hasAcronym")
        self.hasStartDate = self.term("hasStartDate")
        self.hasEndDate = self.term("hasEndDate")


FRAPO: Final = _Frapo()


class _Dbo(Namespace):
    def __init__(self) -> None:
        super().__init__("dbo", "http://dbpedia.org/ontology/")
        self.doctoralAdvisor = self.term("doctoralAdvisor")
        self.previousWork = self.term("previousWork")
        self.startDate = self.term("startDate")
        self.endDate = self.term("endDate")


DBO: Final = _Dbo()


class _Org(Namespace):
    def __init__(self) -> None:
        super().__init__("org", "http://www.w3.org/ns/org#")
        self.OrganizationalUnit = self.term("OrganizationalUnit")
        self.subOrganizationOf = self.term("subOrganizationOf")


ORG: Final = _Org()


class _Dcat(Namespace):
    def __init__(self) -> None:
        super().__init__("dcat", "http://www.w3.org/ns/dcat#")
        self.Distribution = self.term("Distribution")
        self.distribution = self.term("distribution")
        self.downloadURL = self.term("downloadURL")
        self.accessURL = self.term("accessURL")
        self.mediaType = self.term("mediaType")
        self.byteSize = self.term("byteSize")
        self.keyword = self.term("keyword")


DCAT: Final = _Dcat()


class _Spdx(Namespace):
    def __init__(self) -> None:
        super().__init__("spdx", "http://spdx.org/rdf/terms#")
        self.Checksum = self.term("Checksum")
        self.ChecksumAlgorithm = self.term("ChecksumAlgorithm")
        self.checksum = self.term("checksum")
        self.algorithm = self.term("algorithm")
        self.checksumValue = self.term("checksumValue")
        self.checksumAlgorithm_md5 = self.term("checksumAlgorithm_md5")
        self.checksumAlgorithm_sha1 = self.term("checksumAlgorithm_sha1")
        self.checksumAlgorithm_sha256 = self.term("checksumAlgorithm_sha256")


SPDX: Final = _Spdx()


class _Relators(Namespace):
    def __init__(self) -> None:
        super().__init__("relators", "http://id.loc.gov/vocabulary/relators/")
        self.ths = self.term("ths")


RELATORS: Final = _Relators()


class _Kg(Namespace):
    def __init__(self) -> None:
        super().__init__("kg", "https://w3id.org/librecat-kg/ontology#")
        self.place = self.term("place")
        self.department = self.term("department")
        self.acknowledgedServiceUnit = self.term("acknowledgedServiceUnit")
        self.webOfScienceId = self.term("webOfScienceId")
        self.hasErratum = self.term("hasErratum")
        self.originalLanguage = self.term("originalLanguage")


KG: Final = _Kg()

NAMESPACES: tuple[Namespace, ...] = (
    RDF,
    RDFS,
    XSD,
    OWL,
    DCTERMS,
    DCAM,
    DCMITYPE,
    FOAF,
    BIBO,
    BIBO_DEGREES,
    BIBO_STATUS,
    FABIO,
    FRAPO,
    DBO,
    ORG,
    DCAT,
    SPDX,
    RELATORS,
    KG,
)

# Prefixes for Turtle, TriG and the JSON-LD context. bibo_degrees/bibo_status are
# left out: their local names read better as full IRIs than as odd prefixes.
PREFIXES: dict[str, str] = {ns.prefix: ns.base for ns in NAMESPACES if ns.prefix not in {"bibo_degrees", "bibo_status"}}
PREFIXES["coar"] = "http://purl.org/coar/resource_type/"
PREFIXES["orcid"] = "https://orcid.org/"

# rdf:_1, rdf:_2 … are unbounded, so they are made on demand.
_MEMBERSHIP: Final[list[IRI]] = []


def rdf_member(n: int) -> IRI:
    """rdf:_n (1-based), used for the ordered author and editor lists."""
    while len(_MEMBERSHIP) < n:
        _MEMBERSHIP.append(IRI(f"{RDF.base}_{len(_MEMBERSHIP) + 1}"))
    return _MEMBERSHIP[n - 1]


def emitted_terms() -> list[IRI]:
    """Every fixed term listed above (for the ontology coverage test)."""
    return [term for ns in NAMESPACES for term in ns.terms()]
