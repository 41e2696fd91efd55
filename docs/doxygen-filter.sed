# Doxygen input filter (docs/Doxyfile INPUT_FILTER): the headers name exceptions the
# way the Intel SDM does (#UD, #GP(0), #PF), and doxygen would read "#UD" as a link
# request. Escape them for doxygen only, so the headers stay as a person reads them.
s/(^|[^\\])#(DE|DB|BP|OF|BR|UD|NM|DF|TS|NP|SS|GP|PF|MF|AC|MC|XM|VE|CP)([^A-Za-z0-9_]|$)/\1\\#\2\3/g
