/* kg._text: whether a string holds a character that N-Triples escapes, or that clean_text drops,
 * or whitespace that single_line changes.
 *
 * Every literal of every record is tested twice (cleaned when mapped, escaped when written), and
 * almost none holds such a character. Python has no quick test for a set of characters: the
 * pure-Python definitions in kg.rdf (the fallback when kg is built without a C compiler) call
 * str.isprintable(), which looks each character up in the Unicode database, or encode the string
 * and delete bytes from a copy. This reads the string's characters where they are stored.
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
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "kg._text",
    .m_doc = "Quick tests of strings for kg.rdf.",
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
    return PyModule_Create(&module_def);
}
