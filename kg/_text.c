/* kg._text: whether a string holds a character that N-Triples escapes, or that clean_text drops.
 *
 * Every literal of every record is tested twice (cleaned when mapped, escaped when written), and
 * almost none holds such a character. Python has no quick test for a set of characters: the
 * pure-Python definitions in kg.rdf (the fallback when kg is built without a C compiler) call
 * str.isprintable(), which looks each character up in the Unicode database, or encode the string
 * and delete bytes from a copy. This reads the string's characters where they are stored.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Per character below 256: 1 when the test looks for it. */
static unsigned char ESCAPED[256];  /* U+0000-U+001F, '"', '\\', U+007F */
static unsigned char CLEANED[256];  /* U+0000-U+0008, U+000B-U+001F (CR included), U+007F */

static int
holds_any(PyObject *text, const unsigned char *table, int noncharacters)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t i = 0;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND: {
        const Py_UCS1 *chars = data;
        /* Blocks without a branch per character: a hit is rare. */
        for (; i + 32 <= length; i += 32) {
            unsigned char hit = 0;
            for (int j = 0; j < 32; j++)
                hit |= table[chars[i + j]];
            if (hit)
                return 1;
        }
        for (; i < length; i++)
            if (table[chars[i]])
                return 1;
        return 0;
    }
    case PyUnicode_2BYTE_KIND: {
        const Py_UCS2 *chars = data;
        for (; i < length; i++) {
            Py_UCS2 c = chars[i];
            if (c < 256 ? table[c] : (noncharacters && c >= 0xFFFE))
                return 1;
        }
        return 0;
    }
    default: {
        const Py_UCS4 *chars = data;
        for (; i < length; i++) {
            Py_UCS4 c = chars[i];
            if (c < 256 ? table[c] : (noncharacters && (c == 0xFFFE || c == 0xFFFF)))
                return 1;
        }
        return 0;
    }
    }
}

static PyObject *
needs_escape(PyObject *module, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "expected str, got %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    return PyBool_FromLong(holds_any(text, ESCAPED, 0));
}

static PyObject *
needs_cleaning(PyObject *module, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "expected str, got %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    return PyBool_FromLong(holds_any(text, CLEANED, 1));
}

static PyMethodDef methods[] = {
    {"needs_escape", needs_escape, METH_O,
     "Whether the string holds a character N-Triples escapes: a control character (U+0000-U+001F, "
     "U+007F), '\"' or '\\\\'."},
    {"needs_cleaning", needs_cleaning, METH_O,
     "Whether clean_text changes the string: it holds a control character other than tab and "
     "newline (U+0000-U+0008, U+000B-U+001F, U+007F) or a noncharacter U+FFFE, U+FFFF."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "kg._text", "Quick tests of strings for kg.rdf.", -1, methods,
};

PyMODINIT_FUNC
PyInit__text(void)
{
    for (int c = 0; c < 0x20; c++) {
        ESCAPED[c] = 1;
        CLEANED[c] = c != '\t' && c != '\n';
    }
    ESCAPED['"'] = ESCAPED['\\'] = ESCAPED[0x7F] = 1;
    CLEANED[0x7F] = 1;
    return PyModule_Create(&module_def);
}
