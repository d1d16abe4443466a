/* kg._text: whether a string holds a character that N-Triples escapes, or that clean_text drops,
 * or whitespace that single_line changes; and a record's own triples as N-Triples text.
 *
 * Every literal of every record is tested twice (cleaned when mapped, escaped when written), and
 * almost none holds such a character. Python has no quick test for a set of characters: the
 * pure-Python definitions in kg.rdf (the fallback when kg is built without a C compiler) call
 * str.isprintable(), which looks each character up in the Unicode database, or encode the string
 * and delete bytes from a copy. This reads the string's characters where they are stored.
 *
 * Writing N-Triples, kg formats a record's own triples (about 40) as a few strings. In Python that
 * is five to eight list appends a statement and a join, a thousand instructions a triple; here it
 * is one pass that measures the parts and one that copies them into the string (ntriples_runs).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The characters each test looks for, as expressions of a code point c (unsigned). */
#define ESCAPED(c) ((c) < 0x20 || (c) == '"' || (c) == '\\' || (c) == 0x7F)
#define CLEANED(c) (((c) < 0x20 && (c) != '\t' && (c) != '\n') || (c) == 0x7F || (c) == 0xFFFE || (c) == 0xFFFF)

/* Per one-byte character: whether the test looks for it (made of the expressions above). */
static unsigned char escaped_table[256];
static unsigned char cleaned_table[256];

#ifdef __SSE2__
/* 16 one-byte characters at a time: lanes for the bytes up to 0x1F, and for the ones equal to c. */
#define CONTROLS(v) _mm_cmpeq_epi8(_mm_subs_epu8((v), _mm_set1_epi8(0x1F)), _mm_setzero_si128())
#define EQUAL(v, c) _mm_cmpeq_epi8((v), _mm_set1_epi8(c))

static inline int
block_escaped(const Py_UCS1 *chars)
{
    __m128i v = _mm_loadu_si128((const __m128i *)chars);
    __m128i hit = _mm_or_si128(_mm_or_si128(CONTROLS(v), EQUAL(v, '"')), _mm_or_si128(EQUAL(v, '\\'), EQUAL(v, 0x7F)));
    return _mm_movemask_epi8(hit);
}

static inline int
block_cleaned(const Py_UCS1 *chars)
{
    __m128i v = _mm_loadu_si128((const __m128i *)chars);
    __m128i kept = _mm_or_si128(EQUAL(v, '\t'), EQUAL(v, '\n'));
    __m128i hit = _mm_or_si128(_mm_andnot_si128(kept, CONTROLS(v)), EQUAL(v, 0x7F));
    return _mm_movemask_epi8(hit);
}
#define BLOCKS(block)                       \
    for (; i + 16 <= length; i += 16)       \
        if (block(chars + i))               \
            return 1;
#else
#define BLOCKS(block)
#endif

/* A test of a string for the characters of TEST: one-byte characters 16 at a time where the
 * processor has vector instructions (x86-64 always does), the rest by the table; wider ones one
 * by one. */
/* Strings of 2- and 4-byte characters, one character at a time. */
#define SCAN_WIDE(Char, TEST)                                                   \
    {                                                                           \
        const Char *chars = data;                                               \
        for (; i < length; i++) {                                               \
            unsigned c = chars[i];                                              \
            if (TEST(c))                                                        \
                return 1;                                                       \
        }                                                                       \
        return 0;                                                               \
    }

#define DEFINE_HOLDS(name, TEST, table, block)                                  \
    static int name(PyObject *text)                                             \
    {                                                                           \
        Py_ssize_t length = PyUnicode_GET_LENGTH(text), i = 0;                  \
        const void *data = PyUnicode_DATA(text);                                \
        switch (PyUnicode_KIND(text)) {                                         \
        case PyUnicode_1BYTE_KIND: {                                            \
            const Py_UCS1 *chars = data;                                        \
            BLOCKS(block)                                                       \
            for (; i < length; i++)                                             \
                if (table[chars[i]])                                            \
                    return 1;                                                   \
            return 0;                                                           \
        }                                                                       \
        case PyUnicode_2BYTE_KIND:                                              \
            SCAN_WIDE(Py_UCS2, TEST)                                            \
        default:                                                                \
            SCAN_WIDE(Py_UCS4, TEST)                                            \
        }                                                                       \
    }

DEFINE_HOLDS(holds_escaped, ESCAPED, escaped_table, block_escaped)
DEFINE_HOLDS(holds_cleaned, CLEANED, cleaned_table, block_cleaned)

/* Whether " ".join(text.split()) differs from text: whitespace other than single spaces between words. */
static int
holds_spacing(PyObject *text)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    int after_space = 1; /* the start counts as one: a leading space is a change */
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == ' ') {
            if (after_space)
                return 1;
            after_space = 1;
        }
        else if (Py_UNICODE_ISSPACE(c))  /* the whitespace str.split() splits at */
            return 1;
        else
            after_space = 0;
    }
    return length > 0 && after_space;
}

/* A test of a str as a Python function's answer. */
static PyObject *
answer(PyObject *text, int (*test)(PyObject *))
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "expected str, got %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    return PyBool_FromLong(test(text));
}

static PyObject *
needs_escape(PyObject *Py_UNUSED(module), PyObject *text)
{
    return answer(text, holds_escaped);
}

static PyObject *
needs_cleaning(PyObject *Py_UNUSED(module), PyObject *text)
{
    return answer(text, holds_cleaned);
}

static PyObject *
needs_spacing(PyObject *Py_UNUSED(module), PyObject *text)
{
    return answer(text, holds_spacing);
}


/* ---- UTF-8 ---- */

/* Bytes of text's UTF-8, or -1 when it holds a surrogate (which UTF-8 cannot encode). */
static Py_ssize_t
utf8_size(PyObject *text)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_IS_ASCII(text))
        return length;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t size = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80)
            size += 1;
        else if (c < 0x800)
            size += 2;
        else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF)
                return -1;
            size += 3;
        }
        else
            size += 4;
    }
    return size;
}

/* text's UTF-8 copied to out (utf8_size(text) bytes, without surrogates); the end of the copy. */
static char *
utf8_copy(PyObject *text, char *out)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_IS_ASCII(text)) {
        memcpy(out, PyUnicode_DATA(text), length);
        return out + length;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80)
            *out++ = (char)c;
        else if (c < 0x800) {
            *out++ = (char)(0xC0 | (c >> 6));
            *out++ = (char)(0x80 | (c & 0x3F));
        }
        else if (c < 0x10000) {
            *out++ = (char)(0xE0 | (c >> 12));
            *out++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *out++ = (char)(0x80 | (c & 0x3F));
        }
        else {
            *out++ = (char)(0xF0 | (c >> 18));
            *out++ = (char)(0x80 | ((c >> 12) & 0x3F));
            *out++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *out++ = (char)(0x80 | (c & 0x3F));
        }
    }
    return out;
}

/* b"".join(piece.encode("utf-8") for piece in pieces), in one allocation. */
static PyObject *
utf8_joined(PyObject *Py_UNUSED(module), PyObject *pieces)
{
    if (!PyList_Check(pieces)) {
        PyErr_Format(PyExc_TypeError, "expected list, got %.100s", Py_TYPE(pieces)->tp_name);
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(pieces), total = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *piece = PyList_GET_ITEM(pieces, i);
        if (!PyUnicode_Check(piece)) {
            PyErr_Format(PyExc_TypeError, "piece %zd: expected str, got %.100s", i, Py_TYPE(piece)->tp_name);
            return NULL;
        }
        Py_ssize_t size = utf8_size(piece);
        if (size < 0) { /* Python's own encoder says what and where */
            PyObject *encoded = PyUnicode_AsUTF8String(piece);
            if (encoded != NULL) {
                Py_DECREF(encoded);
                PyErr_Format(PyExc_SystemError, "piece %zd: a surrogate was found that str.encode accepts", i);
            }
            return NULL;
        }
        total += size;
    }
    PyObject *joined = PyBytes_FromStringAndSize(NULL, total);
    if (joined == NULL)
        return NULL;
    char *out = PyBytes_AS_STRING(joined);
    for (Py_ssize_t i = 0; i < count; i++)
        out = utf8_copy(PyList_GET_ITEM(pieces, i), out);
    return joined;
}

/* ---- LibreCat timestamps ---- */

/* Digits at data[at] and data[at + 1] as a number, or -1 where either is not an ASCII digit. */
static inline int
two_digits(const Py_UCS1 *data, int at)
{
    if (data[at] < '0' || data[at] > '9' || data[at + 1] < '0' || data[at + 1] > '9')
        return -1;
    return (data[at] - '0') * 10 + (data[at + 1] - '0');
}

/* Whether text is a real "YYYY-MM-DDTHH:MM:SSZ" (year 0001-9999, as kg.mapping.dates.is_utc_second). */
static int
holds_utc_second(PyObject *text)
{
    static const int last_days[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (PyUnicode_GET_LENGTH(text) != 20 || PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND)
        return 0; /* a wider character is not one of the ASCII ones every place needs */
    const Py_UCS1 *data = PyUnicode_1BYTE_DATA(text);
    if (data[4] != '-' || data[7] != '-' || data[10] != 'T' || data[13] != ':' || data[16] != ':' || data[19] != 'Z')
        return 0;
    int century = two_digits(data, 0), years = two_digits(data, 2);
    int month = two_digits(data, 5), day = two_digits(data, 8);
    int hour = two_digits(data, 11), minute = two_digits(data, 14), second = two_digits(data, 17);
    if (century < 0 || years < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 ||
        minute > 59 || second < 0 || second > 59)
        return 0;
    int year = century * 100 + years;
    if (year == 0)
        return 0;
    int leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return day <= last_days[month] + (month == 2 && leap);
}

static PyObject *
utc_second(PyObject *Py_UNUSED(module), PyObject *text)
{
    return answer(text, holds_utc_second);
}

/* ---- Memo keys ---- */

/* The fields of a person entry a memo key is made of, in their order (kg.mapping.person). */
#define PERSON_FIELDS 5
static const char *person_field_names[PERSON_FIELDS] = {"first_name", "last_name", "full_name", "id", "orcid"};
static PyObject *person_fields[PERSON_FIELDS]; /* interned at import */
static PyObject *person_prefixes[1 << PERSON_FIELDS]; /* "person0" ... "person31" */

/* kg.mapping.person._person_key of an entry (a dict), or None. */
static PyObject *
person_key(PyObject *Py_UNUSED(module), PyObject *entry)
{
    if (!PyDict_Check(entry)) {
        PyErr_Format(PyExc_TypeError, "expected dict, got %.100s", Py_TYPE(entry)->tp_name);
        return NULL;
    }
    PyObject *parts[PERSON_FIELDS + 1];
    int absent = 0;
    for (int i = 0; i < PERSON_FIELDS; i++) {
        PyObject *value = PyDict_GetItemWithError(entry, person_fields[i]); /* borrowed */
        if (value == NULL && PyErr_Occurred())
            return NULL;
        if (value == NULL || value == Py_None) { /* entry.get() cannot tell them apart */
            absent |= 1 << i;
            value = Py_None;
        }
        else if (!PyUnicode_CheckExact(value))
            Py_RETURN_NONE; /* not text: no exact key */
        else if (PyUnicode_FindChar(value, 0, 0, PyUnicode_GET_LENGTH(value), 1) != -1)
            Py_RETURN_NONE; /* holds the separator */
        parts[i + 1] = value;
    }
    /* Absent fields are written as nothing; the number after "person" tells them from empty text.
       The key is measured, then its parts copied into it: one allocation, no list to join. */
    parts[0] = person_prefixes[absent];
    Py_ssize_t length = PERSON_FIELDS; /* the separators */
    Py_UCS4 widest = 0x7F;
    for (int i = 0; i <= PERSON_FIELDS; i++) {
        if (parts[i] == Py_None)
            continue;
        length += PyUnicode_GET_LENGTH(parts[i]);
        Py_UCS4 most = PyUnicode_MAX_CHAR_VALUE(parts[i]);
        if (most > widest)
            widest = most;
    }
    PyObject *key = PyUnicode_New(length, widest);
    if (key == NULL)
        return NULL;
    int kind = PyUnicode_KIND(key);
    void *data = PyUnicode_DATA(key);
    Py_ssize_t at = 0;
    for (int i = 0; i <= PERSON_FIELDS; i++) {
        if (i > 0)
            PyUnicode_WRITE(kind, data, at++, 0);
        if (parts[i] == Py_None)
            continue;
        Py_ssize_t size = PyUnicode_GET_LENGTH(parts[i]);
        if (kind == PyUnicode_1BYTE_KIND)
            memcpy((Py_UCS1 *)data + at, PyUnicode_1BYTE_DATA(parts[i]), size);
        else if (PyUnicode_CopyCharacters(key, at, parts[i], 0, size) < 0) {
            Py_DECREF(key);
            return NULL;
        }
        at += size;
    }
    return key;
}

/* ---- N-Triples statements ---- */

/* A string being built: its characters stored as wide as its widest part needs (as str does),
 * first in the builder's own room, which holds a typical record's run. */
#define BUILDER_ROOM 16384
typedef struct {
    char *data;
    Py_ssize_t length;   /* characters */
    Py_ssize_t capacity; /* bytes */
    int kind;            /* bytes a character: 1, 2 or 4 */
    Py_UCS4 widest;
    char room[BUILDER_ROOM];
} Builder;

static void
builder_init(Builder *out)
{
    out->data = out->room;
    out->length = 0;
    out->capacity = BUILDER_ROOM;
    out->kind = 1;
    out->widest = 0;
}

static void
builder_free(Builder *out)
{
    if (out->data != out->room)
        PyMem_Free(out->data);
}

/* Room for `more` characters of `kind`, the characters so far widened to it if need be. */
static int
reserve(Builder *out, Py_ssize_t more, int kind)
{
    int wider = kind > out->kind ? kind : out->kind;
    Py_ssize_t needed = (out->length + more) * wider;
    if (needed > out->capacity) {
        Py_ssize_t capacity = out->capacity;
        while (capacity < needed)
            capacity *= 2;
        char *data = PyMem_Malloc(capacity);
        if (data == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(data, out->data, out->length * out->kind);
        builder_free(out);
        out->data = data;
        out->capacity = capacity;
    }
    if (wider > out->kind) { /* from the end, so that no character is overwritten before it is read */
        for (Py_ssize_t i = out->length - 1; i >= 0; i--)
            PyUnicode_WRITE(wider, out->data, i, PyUnicode_READ(out->kind, out->data, i));
        out->kind = wider;
    }
    return 0;
}

static int
append_any(Builder *out, PyObject *text)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_UCS4 most = PyUnicode_MAX_CHAR_VALUE(text);
    if (reserve(out, length, kind) < 0)
        return -1;
    if (kind == out->kind)
        memcpy(out->data + out->length * kind, data, length * kind);
    else
        for (Py_ssize_t i = 0; i < length; i++)
            PyUnicode_WRITE(out->kind, out->data, out->length + i, PyUnicode_READ(kind, data, i));
    out->length += length;
    if (most > out->widest)
        out->widest = most;
    return 0;
}

static int
append_ascii_any(Builder *out, const char *text, Py_ssize_t length)
{
    if (reserve(out, length, 1) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < length; i++)
        PyUnicode_WRITE(out->kind, out->data, out->length + i, (Py_UCS1)text[i]);
    out->length += length;
    return 0;
}

#if defined(__GNUC__) || defined(__clang__)
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE static inline
#endif

/* The common case inline (an ASCII part into ASCII text with room for it), the others above. */
ALWAYS_INLINE int
append(Builder *out, PyObject *text)
{
    if (PyUnicode_IS_ASCII(text) && out->kind == 1) {
        Py_ssize_t length = PyUnicode_GET_LENGTH(text);
        if (out->length + length <= out->capacity) {
            memcpy(out->data + out->length, PyUnicode_1BYTE_DATA(text), length);
            out->length += length;
            return 0;
        }
    }
    return append_any(out, text);
}

/* ASCII text of kg's own (the fixed parts of statements). */
ALWAYS_INLINE int
append_ascii(Builder *out, const char *text, Py_ssize_t length)
{
    if (out->kind == 1 && out->length + length <= out->capacity) {
        memcpy(out->data + out->length, text, length);
        out->length += length;
        return 0;
    }
    return append_ascii_any(out, text, length);
}
#define APPEND_ASCII(out, text) append_ascii((out), (text), sizeof(text) - 1)

/* The text built so far as a str; the builder is then empty. */
static PyObject *
finish(Builder *out)
{
    /* str keeps its characters as narrow as its widest one allows, as they are here: a kind-2
     * part has a character above U+00FF, a kind-4 part one above U+FFFF. */
    PyObject *text = PyUnicode_New(out->length, out->widest);
    if (text == NULL)
        return NULL;
    memcpy(PyUnicode_DATA(text), out->data, out->length * out->kind);
    out->length = 0;
    out->kind = 1;
    out->widest = 0;
    return text;
}

/* The text built so far appended to `runs` as a str. */
static int
flush(Builder *out, PyObject *runs)
{
    PyObject *text = finish(out);
    if (text == NULL)
        return -1;
    int failed = PyList_Append(runs, text);
    Py_DECREF(text);
    return failed;
}

static int
same_text(PyObject *a, PyObject *b)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(a);
    return a == b || (length == PyUnicode_GET_LENGTH(b) && PyUnicode_KIND(a) == PyUnicode_KIND(b) &&
                      memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), length * PyUnicode_KIND(a)) == 0);
}

/* A term that must be a str, or (where `optional`) None. */
static int
text_or_fail(PyObject *term, int optional, Py_ssize_t index)
{
    if (PyUnicode_Check(term) || (optional && term == Py_None))
        return 0;
    PyErr_Format(PyExc_TypeError, "triple %zd: expected str, got %.100s", index, Py_TYPE(term)->tp_name);
    return -1;
}

/* A triple's terms, checked, with its literal's text escaped (a new reference; NULL for an IRI). */
typedef struct {
    PyObject *subject, *predicate, *object, *text, *datatype, *lang;
} Terms;

/* The arguments every statement needs besides its triple. */
typedef struct {
    PyObject *iri_type, *xsd_string, *escape, *end;
} Syntax;

static int
read_terms(Terms *terms, PyObject *triple, Py_ssize_t index, const Syntax *syntax)
{
    if (!PyTuple_Check(triple) || PyTuple_GET_SIZE(triple) != 3) {
        PyErr_Format(PyExc_TypeError, "triple %zd: expected a tuple of 3 terms", index);
        return -1;
    }
    terms->subject = PyTuple_GET_ITEM(triple, 0);
    terms->predicate = PyTuple_GET_ITEM(triple, 1);
    terms->object = PyTuple_GET_ITEM(triple, 2);
    terms->text = NULL;
    if (text_or_fail(terms->subject, 0, index) < 0 || text_or_fail(terms->predicate, 0, index) < 0)
        return -1;
    if ((PyObject *)Py_TYPE(terms->object) == syntax->iri_type)
        return 0;
    if (!PyTuple_Check(terms->object) || PyTuple_GET_SIZE(terms->object) != 3) {
        PyErr_Format(PyExc_TypeError, "triple %zd: expected an IRI or a literal (value, datatype, lang)", index);
        return -1;
    }
    PyObject *value = PyTuple_GET_ITEM(terms->object, 0);
    terms->datatype = PyTuple_GET_ITEM(terms->object, 1);
    terms->lang = PyTuple_GET_ITEM(terms->object, 2);
    if (text_or_fail(value, 0, index) < 0 || text_or_fail(terms->datatype, 1, index) < 0 ||
        text_or_fail(terms->lang, 1, index) < 0)
        return -1;
    if (!holds_escaped(value)) {
        Py_INCREF(value);
        terms->text = value;
        return 0;
    }
    PyObject *text = PyObject_CallOneArg(syntax->escape, value);
    if (text == NULL)
        return -1;
    if (text_or_fail(text, 0, index) < 0) {
        Py_DECREF(text);
        return -1;
    }
    terms->text = text;
    return 0;
}

/* The statement of the terms, as kg.write.statement writes it. */
static int
append_statement(Builder *out, const Terms *terms, const Syntax *syntax)
{
    if (APPEND_ASCII(out, "<") || append(out, terms->subject) || APPEND_ASCII(out, "> <") ||
        append(out, terms->predicate))
        return -1;
    if (terms->text == NULL)
        return APPEND_ASCII(out, "> <") || append(out, terms->object) || APPEND_ASCII(out, "> ") ||
                       append(out, syntax->end)
                   ? -1
                   : 0;
    if (APPEND_ASCII(out, "> \"") || append(out, terms->text))
        return -1;
    PyObject *lang = terms->lang, *datatype = terms->datatype;
    int failed;
    if (lang != Py_None && PyUnicode_GET_LENGTH(lang))
        failed = APPEND_ASCII(out, "\"@") || append(out, lang) || APPEND_ASCII(out, " ");
    else if (datatype != Py_None && PyUnicode_GET_LENGTH(datatype) && !same_text(datatype, syntax->xsd_string))
        failed = APPEND_ASCII(out, "\"^^<") || append(out, datatype) || APPEND_ASCII(out, "> ");
    else
        failed = APPEND_ASCII(out, "\" ");
    return failed || append(out, syntax->end) ? -1 : 0;
}

/* One triple's statement added to the run being built; a literal whose text is not ASCII makes
 * a run of its own (see ntriples_runs). */
static int
add_to_runs(Builder *out, PyObject *runs, PyObject *triple, Py_ssize_t index, const Syntax *syntax)
{
    Terms terms;
    if (read_terms(&terms, triple, index, syntax) < 0)
        return -1;
    int alone = terms.text != NULL && !PyUnicode_IS_ASCII(terms.text);
    int failed = (alone && out->length && flush(out, runs) < 0) || append_statement(out, &terms, syntax) < 0 ||
                 (alone && flush(out, runs) < 0);
    Py_XDECREF(terms.text);
    return failed ? -1 : 0;
}

/* The syntax arguments (iri_type, xsd_string, escape, end) from args[0:4]. */
static int
read_syntax(Syntax *syntax, PyObject *const *args, const char *usage)
{
    syntax->iri_type = args[0];
    syntax->xsd_string = args[1];
    syntax->escape = args[2];
    syntax->end = args[3];
    if (PyType_Check(syntax->iri_type) && PyUnicode_Check(syntax->xsd_string) && PyUnicode_Check(syntax->end))
        return 0;
    PyErr_SetString(PyExc_TypeError, usage);
    return -1;
}

static PyObject *
ntriples_runs(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    static const char usage[] = "ntriples_runs(triples: list, iri_type: type, xsd_string: str, escape, end: str)";
    Syntax syntax;
    if (nargs != 5 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, usage);
        return NULL;
    }
    if (read_syntax(&syntax, args + 1, usage) < 0)
        return NULL;
    PyObject *triples = args[0];
    PyObject *runs = PyList_New(0);
    if (runs == NULL)
        return NULL;
    Builder out;
    builder_init(&out);
    int failed = 0;
    /* By index, as the list stands: `escape` (Python code) could change it. A triple is held while
     * its statement is built; what is built is copied, so nothing borrowed outlives its triple. */
    for (Py_ssize_t i = 0; !failed && i < PyList_GET_SIZE(triples); i++) {
        PyObject *triple = PyList_GET_ITEM(triples, i);
        Py_INCREF(triple);
        failed = add_to_runs(&out, runs, triple, i, &syntax) < 0;
        Py_DECREF(triple);
    }
    if (!failed && out.length)
        failed = flush(&out, runs) < 0;
    builder_free(&out);
    if (failed) {
        Py_DECREF(runs);
        return NULL;
    }
    return runs;
}

static PyObject *
ntriples_statement(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    static const char usage[] = "ntriples_statement(triple, iri_type: type, xsd_string: str, escape, end: str)";
    Syntax syntax;
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, usage);
        return NULL;
    }
    if (read_syntax(&syntax, args + 1, usage) < 0)
        return NULL;
    Terms terms;
    if (read_terms(&terms, args[0], 0, &syntax) < 0)
        return NULL;
    Builder out;
    builder_init(&out);
    PyObject *text = append_statement(&out, &terms, &syntax) < 0 ? NULL : finish(&out);
    Py_XDECREF(terms.text);
    builder_free(&out);
    return text;
}

/* ---- A record's own triples, each once ---- */

/* A hash of a str from its length and its first and last 16 bytes: equal strings hash alike, and
 * a long literal (an abstract) is not read whole, as str's own hash would read it. */
static Py_uhash_t
sketch(PyObject *text)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const unsigned char *data = PyUnicode_DATA(text);
    Py_ssize_t size = length * kind;
    Py_uhash_t hash = ((Py_uhash_t)length * 1000003u) ^ (Py_uhash_t)kind;
    if (size <= 32) {
        for (Py_ssize_t i = 0; i < size; i++)
            hash = (hash ^ data[i]) * 1099511628211u;
        return hash;
    }
    uint64_t words[4];
    memcpy(words, data, 16);
    memcpy(words + 2, data + size - 16, 16);
    for (int i = 0; i < 4; i++)
        hash = ((hash ^ words[i]) * 1099511628211u) ^ (hash >> 29);
    return hash;
}

/* A hash of a triple such that equal triples (as tuples compare) hash alike: a literal (a tuple
 * whose value is a str) by the sketch of its value, any other term (an IRI) by its own hash,
 * which a str keeps. */
static int
triple_hash(PyObject *triple, Py_uhash_t *hash)
{
    Py_uhash_t made = 0x345678u;
    for (Py_ssize_t i = 0; i < 3; i++) {
        PyObject *term = PyTuple_GET_ITEM(triple, i);
        Py_uhash_t part;
        if (PyTuple_Check(term) && PyTuple_GET_SIZE(term) == 3 && PyUnicode_Check(PyTuple_GET_ITEM(term, 0))) {
            Py_hash_t datatype = PyObject_Hash(PyTuple_GET_ITEM(term, 1));
            Py_hash_t lang = PyObject_Hash(PyTuple_GET_ITEM(term, 2));
            if (datatype == -1 || lang == -1)
                return -1;
            part = sketch(PyTuple_GET_ITEM(term, 0)) ^ ((Py_uhash_t)datatype * 31u) ^ ((Py_uhash_t)lang * 7u);
        }
        else {
            Py_hash_t plain = PyObject_Hash(term);
            if (plain == -1)
                return -1;
            part = (Py_uhash_t)plain;
        }
        made = (made ^ part) * 1000003u;
    }
    *hash = made;
    return 0;
}

/* Whether two triples are equal, as tuples compare (1, 0, or -1 on an error). */
static int
same_triple(PyObject *a, PyObject *b)
{
    for (Py_ssize_t i = 0; i < 3; i++) {
        PyObject *x = PyTuple_GET_ITEM(a, i), *y = PyTuple_GET_ITEM(b, i);
        if (x == y)
            continue;
        int equal = PyObject_RichCompareBool(x, y, Py_EQ);
        if (equal <= 0)
            return equal;
    }
    return 1;
}

/* Slots on the stack for the table of the triples seen (a slot holds an index + 1, 0 when empty,
 * and a hash): a table twice as large as the triples, so enough for a record of 512. */
#define TABLE_ROOM 1024

static PyObject *
unique_triples(PyObject *Py_UNUSED(module), PyObject *triples)
{
    if (!PyList_Check(triples)) {
        PyErr_SetString(PyExc_TypeError, "unique_triples(triples: list)");
        return NULL;
    }
    /* A tuple of the triples holds them while they are compared (a comparison may run Python). */
    PyObject *held = PyList_AsTuple(triples);
    if (held == NULL)
        return NULL;
    Py_ssize_t count = PyTuple_GET_SIZE(held), size = 8;
    while (size < 2 * count)
        size *= 2;
    Py_ssize_t room_slots[TABLE_ROOM];
    Py_uhash_t room_hashes[TABLE_ROOM];
    char room_kept[TABLE_ROOM];
    Py_ssize_t *slots = room_slots;
    Py_uhash_t *hashes = room_hashes;
    char *kept = room_kept; /* per triple: whether it is its first occurrence */
    if (size > TABLE_ROOM) {
        slots = PyMem_Calloc(size, sizeof *slots);
        hashes = PyMem_Malloc(size * sizeof *hashes);
        kept = PyMem_Malloc(count);
        if (slots == NULL || hashes == NULL || kept == NULL) {
            PyMem_Free(slots);
            PyMem_Free(hashes);
            PyMem_Free(kept);
            Py_DECREF(held);
            return PyErr_NoMemory();
        }
    }
    else
        memset(slots, 0, size * sizeof *slots);
    Py_ssize_t first = 0;
    int failed = 0;
    for (Py_ssize_t i = 0; !failed && i < count; i++) {
        PyObject *triple = PyTuple_GET_ITEM(held, i);
        Py_uhash_t hash;
        if (!PyTuple_Check(triple) || PyTuple_GET_SIZE(triple) != 3) {
            PyErr_Format(PyExc_TypeError, "triple %zd: expected a tuple of 3 terms", i);
            failed = 1;
            break;
        }
        if (triple_hash(triple, &hash) < 0) {
            failed = 1;
            break;
        }
        Py_ssize_t at = (Py_ssize_t)(hash & (Py_uhash_t)(size - 1));
        int seen = 0;
        while (slots[at]) {
            if (hashes[at] == hash) {
                seen = same_triple(PyTuple_GET_ITEM(held, slots[at] - 1), triple);
                if (seen)
                    break;
            }
            at = (at + 1) & (size - 1);
        }
        failed = seen < 0;
        kept[i] = !seen;
        if (!seen) {
            slots[at] = i + 1;
            hashes[at] = hash;
            first++;
        }
    }
    PyObject *unique = failed ? NULL : PyList_New(first);
    if (unique != NULL)
        for (Py_ssize_t i = 0, at = 0; i < count; i++)
            if (kept[i]) {
                PyObject *triple = PyTuple_GET_ITEM(held, i);
                Py_INCREF(triple);
                PyList_SET_ITEM(unique, at++, triple);
            }
    if (slots != room_slots) {
        PyMem_Free(slots);
        PyMem_Free(hashes);
        PyMem_Free(kept);
    }
    Py_DECREF(held);
    return unique;
}

static PyMethodDef methods[] = {
    {"needs_escape", needs_escape, METH_O,
     "Whether the string holds a character N-Triples escapes: a control character (U+0000-U+001F, "
     "U+007F), '\"' or '\\\\'."},
    {"needs_cleaning", needs_cleaning, METH_O,
     "Whether clean_text changes the string: it holds a control character other than tab and "
     "newline (U+0000-U+0008, U+000B-U+001F, U+007F) or a noncharacter U+FFFE, U+FFFF."},
    {"needs_spacing", needs_spacing, METH_O,
     "Whether ' '.join(text.split()) differs from the string: it holds whitespace other than single "
     "spaces between words."},
    {"ntriples_runs", (PyCFunction)(void (*)(void))ntriples_runs, METH_FASTCALL,
     "ntriples_runs(triples, iri_type, xsd_string, escape, end): the N-Triples statements of the "
     "triples, each ending in end, as strings, as kg.write.ntriples_runs makes them: runs of "
     "statements, and each statement with a literal that is not ASCII on its own. A triple is "
     "(subject, predicate, object) with str terms; an object of exactly iri_type is an IRI, else a "
     "literal (value, datatype, lang). A value that holds a character N-Triples escapes is passed "
     "through escape."},
    {"ntriples_statement", (PyCFunction)(void (*)(void))ntriples_statement, METH_FASTCALL,
     "ntriples_statement(triple, iri_type, xsd_string, escape, end): one triple's statement, as "
     "kg.write.statement(triple, end) makes it (the arguments as ntriples_runs takes them)."},
    {"unique_triples", unique_triples, METH_O,
     "unique_triples(triples): the triples (a list of 3-tuples) each once, in their first places, "
     "as a set of them would tell them apart; as kg.write.unique_triples makes them."},
    {"utf8_joined", utf8_joined, METH_O,
     "utf8_joined(pieces): b''.join(piece.encode('utf-8') for piece in pieces), for a list of str, in "
     "one allocation; a surrogate raises UnicodeEncodeError as str.encode does."},
    {"utc_second", utc_second, METH_O,
     "Whether the string is a real UTC timestamp to the second, 'YYYY-MM-DDTHH:MM:SSZ' (year 0001 to "
     "9999), as kg.mapping.dates.is_utc_second tells."},
    {"person_key", person_key, METH_O,
     "person_key(entry): the memo key of a LibreCat person entry (a dict), or None, as "
     "kg.mapping.person._person_key makes it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "kg._text",
    .m_doc = "Quick tests of strings for kg.rdf, and N-Triples statements for kg.write.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__text(void)
{
    for (unsigned c = 0; c < 256; c++) {
        escaped_table[c] = ESCAPED(c);
        cleaned_table[c] = CLEANED(c);
    }
    for (int i = 0; i < PERSON_FIELDS; i++)
        if ((person_fields[i] = PyUnicode_InternFromString(person_field_names[i])) == NULL)
            return NULL;
    for (int absent = 0; absent < 1 << PERSON_FIELDS; absent++)
        if ((person_prefixes[absent] = PyUnicode_FromFormat("person%d", absent)) == NULL)
            return NULL;
    return PyModule_Create(&module_def);
}
