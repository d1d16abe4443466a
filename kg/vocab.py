"""Every vocabulary term kg emits, in one place.

Each namespace object refuses names that are not listed for it, so a typo in a
mapping rule (``BIBO.startPage``) fails at import time instead of producing a
term that does not exist. The lists are checked against the vocabulary files in
``ontologies/`` by the test suite.
"""

from __future__ import annotations

from kg.rdf import IRI


class Namespace:
    def __init__(self, prefix: str, base: str, names: str) -> None:
        self.prefix = prefix
        self.base = base
        self._terms = {name: IRI(base + name) for name in names.split()}
        # Plain attributes make BIBO.doi a dictionary lookup instead of a __getattr__ call
        # (it is on the hot path); names that clash with our own attributes stay behind __getattr__.
        for name, term in self._terms.items():
            if name not in self.__dict__ and not hasattr(type(self), name):
                self.__dict__[name] = term

    def __getattr__(self, name: str) -> IRI:
        try:
            return self._terms[name]
        except KeyError:
            raise AttributeError(f"{self.prefix}:{name} is not a term kg uses") from None

    def __getitem__(self, name: str) -> IRI:
        return self.__getattr__(name)

    def terms(self) -> list[IRI]:
        return list(self._terms.values())


RDF = Namespace("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "type Seq value")
RDFS = Namespace("rdfs", "http://www.w3.org/2000/01/rdf-schema#", "label comment seeAlso")
XSD = Namespace(
    "xsd",
    "http://www.w3.org/2001/XMLSchema#",
    "string date dateTime gYear gYearMonth integer nonNegativeInteger hexBinary",
)
OWL = Namespace("owl", "http://www.w3.org/2002/07/owl#", "sameAs")
DCTERMS = Namespace(
    "dcterms",
    "http://purl.org/dc/terms/",
    "title alternative abstract issued created modified publisher language subject "
    "identifier license accessRights type creator contributor isPartOf hasPart "
    "replaces hasVersion source relation references tableOfContents hasFormat "
    "bibliographicCitation format description dateAccepted isVersionOf MediaType DDC",
)
DCAM = Namespace("dcam", "http://purl.org/dc/dcam/", "memberOf")
DCMITYPE = Namespace("dcmitype", "http://purl.org/dc/dcmitype/", "Dataset Software")
FOAF = Namespace(
    "foaf",
    "http://xmlns.com/foaf/0.1/",
    "Person Organization Project name givenName familyName page homepage",
)
BIBO = Namespace(
    "bibo",
    "http://purl.org/ontology/bibo/",
    "Document AcademicArticle Article Book EditedBook Chapter Thesis Report Patent Manuscript "
    "Proceedings Journal Newspaper Periodical Series Issue Conference Event Collection "
    "authorList editorList editor translator issuer degree doi issn eissn isbn "
    "volume issue pageStart pageEnd pages numPages edition number pmid presentedAt "
    "status cites translationOf",
)
BIBO_DEGREES = Namespace("bibo_degrees", "http://purl.org/ontology/bibo/degrees/", "phd ms ma")
BIBO_STATUS = Namespace(
    "bibo_status",
    "http://purl.org/ontology/bibo/status/",
    "published accepted forthcoming draft unpublished peerReviewed",
)
FABIO = Namespace(
    "fabio",
    "http://purl.org/spar/fabio/",
    "ConferencePaper Abstract Review ReviewArticle ResearchPaper Letter DoctoralThesis MastersThesis "
    "WorkingPaper NewspaperArticle ReferenceEntry hasArXivId",
)
FRAPO = Namespace(
    "frapo",
    "http://purl.org/cerif/frapo/",
    "Grant FundingAgency hasGrantNumber hasCallIdentifier isFundedBy funds isOutputOf hasORCID hasFunderIdentifier "
    "hasAcronym hasStartDate hasEndDate",
)
DBO = Namespace("dbo", "http://dbpedia.org/ontology/", "doctoralAdvisor previousWork startDate endDate")
ORG = Namespace("org", "http://www.w3.org/ns/org#", "OrganizationalUnit subOrganizationOf")
DCAT = Namespace(
    "dcat",
    "http://www.w3.org/ns/dcat#",
    "Distribution distribution downloadURL accessURL mediaType byteSize keyword",
)
SPDX = Namespace(
    "spdx",
    "http://spdx.org/rdf/terms#",
    "Checksum ChecksumAlgorithm checksum algorithm checksumValue checksumAlgorithm_md5 checksumAlgorithm_sha1 "
    "checksumAlgorithm_sha256",
)
RELATORS = Namespace("relators", "http://id.loc.gov/vocabulary/relators/", "ths")
KG = Namespace(
    "kg",
    "https://w3id.org/librecat-kg/ontology#",
    "place department acknowledgedServiceUnit webOfScienceId hasErratum originalLanguage",
)

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
_MEMBERSHIP: list[IRI] = []


def rdf_member(n: int) -> IRI:
    """rdf:_n (1-based), used for the ordered author and editor lists."""
    while len(_MEMBERSHIP) < n:
        _MEMBERSHIP.append(IRI(f"{RDF.base}_{len(_MEMBERSHIP) + 1}"))
    return _MEMBERSHIP[n - 1]


def emitted_terms() -> list[IRI]:
    """Every fixed term listed above (for the ontology coverage test)."""
    return [term for ns in NAMESPACES for term in ns.terms()]
