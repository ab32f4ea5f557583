"""The ``thidua`` command line: parse, call one ``workflow`` function, render."""
