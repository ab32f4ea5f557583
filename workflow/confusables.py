"""Which characters look like which: the prototypes of Unicode's confusables table (UTS #39,
``confusables.txt`` version 13.0.0) for the characters a name may hide behind a Latin one.

Kept here: every single character of the Latin, Cyrillic and Greek scripts, of ASCII and of the
general punctuation block whose prototype is written in ASCII, and that NFKC leaves as it is
(NFKC already brings fullwidth, mathematical and other compatibility letters to their plain
form). ``"\\u0435": "e"`` reads: Cyrillic е looks like Latin e. :mod:`thidua.workflow.lookalikes`
builds a name's skeleton from it.
"""

PROTOTYPES: dict[str, str] = {
    '"': "''", '0': 'O', '1': 'l', 'I': 'l', '`': "'", 'm': 'rn', '|': 'l', "\u00c6": 'AE',
    "\u00e6": 'ae', "\u0131": 'i', "\u0152": 'OE', "\u0153": 'oe', "\u0181": "'B", "\u0184": 'b',
    "\u0187": "C'", "\u018a": "'D", "\u018d": 'g', "\u0193": "G'", "\u0196": 'l', "\u0198": "K'",
    "\u01a0": "O'", "\u01a1": "o'", "\u01a4": "'P", "\u01a6": 'R', "\u01a7": '2', "\u01ac": "'T",
    "\u01b3": "'Y", "\u01b7": '3', "\u01bc": '5', "\u01bd": 's', "\u01c0": 'l', "\u01c1": 'll',
    "\u01c3": '!', "\u021c": '3', "\u0222": '8', "\u0223": '8', "\u0241": '?', "\u0251": 'a',
    "\u0261": 'g', "\u0263": 'y', "\u0269": 'i', "\u026a": 'i', "\u026f": 'w', "\u028b": 'u',
    "\u028f": 'y', "\u0294": '?', "\u02a3": 'dz', "\u02a6": 'ts', "\u02aa": 'ls', "\u02ab": 'lz',
    "\u037f": 'J', "\u0391": 'A', "\u0392": 'B', "\u0395": 'E', "\u0396": 'Z', "\u0397": 'H',
    "\u0399": 'l', "\u039a": 'K', "\u039c": 'M', "\u039d": 'N', "\u039f": 'O', "\u03a1": 'P',
    "\u03a4": 'T', "\u03a5": 'Y', "\u03a7": 'X', "\u03b1": 'a', "\u03b3": 'y', "\u03b9": 'i',
    "\u03bd": 'v', "\u03bf": 'o', "\u03c1": 'p', "\u03c3": 'o', "\u03c5": 'u', "\u03dc": 'F',
    "\u03f3": 'j', "\u03fa": 'M', "\u0405": 'S', "\u0406": 'l', "\u0408": 'J', "\u0410": 'A',
    "\u0412": 'B', "\u0415": 'E', "\u0417": '3', "\u041a": 'K', "\u041c": 'M', "\u041d": 'H',
    "\u041e": 'O', "\u0420": 'P', "\u0421": 'C', "\u0422": 'T', "\u0423": 'Y', "\u0425": 'X',
    "\u042b": 'bl', "\u042c": 'b', "\u042e": 'lO', "\u0430": 'a', "\u0431": '6', "\u0433": 'r',
    "\u0435": 'e', "\u043e": 'o', "\u0440": 'p', "\u0441": 'c', "\u0443": 'y', "\u0445": 'x',
    "\u0455": 's', "\u0456": 'i', "\u0458": 'j', "\u0461": 'w', "\u0474": 'V', "\u0475": 'v',
    "\u0491": "r'", "\u04ae": 'Y', "\u04af": 'y', "\u04bb": 'h', "\u04bd": 'e', "\u04c0": 'l',
    "\u04cf": 'i', "\u04d4": 'AE', "\u04d5": 'ae', "\u04e0": '3', "\u0501": 'd', "\u050c": 'G',
    "\u051b": 'q', "\u051c": 'W', "\u051d": 'w', "\u1d04": 'c', "\u1d0f": 'o', "\u1d11": 'o',
    "\u1d1c": 'u', "\u1d20": 'v', "\u1d21": 'w', "\u1d22": 'z', "\u1d26": 'r', "\u1d6b": 'ue',
    "\u1d83": 'g', "\u1d8c": 'y', "\u1e9d": 'f', "\u1eff": 'y', "\u2010": '-', "\u2012": '-',
    "\u2013": '-', "\u2016": 'll', "\u2018": "'", "\u2019": "'", "\u201a": ',', "\u201b": "'",
    "\u201c": "''", "\u201d": "''", "\u201f": "''", "\u2032": "'", "\u2035": "'", "\u2039": '<',
    "\u203a": '>', "\u2041": '/', "\u2043": '-', "\u2044": '/', "\u204e": '*', "\u2053": '~',
    "\u205a": ':', "\ua644": '2', "\ua647": 'i', "\ua698": 'OO', "\ua699": 'oo', "\ua728": 'T3',
    "\ua731": 's', "\ua732": 'AA', "\ua733": 'aa', "\ua734": 'AO', "\ua735": 'ao', "\ua736": 'AU',
    "\ua737": 'au', "\ua738": 'AV', "\ua739": 'av', "\ua73a": 'AV', "\ua73b": 'av', "\ua73c": 'AY',
    "\ua73d": 'ay', "\ua74e": 'OO', "\ua74f": 'oo', "\ua75a": '2', "\ua76a": '3', "\ua76e": '9',
    "\ua777": 'tf', "\ua778": '&', "\ua78c": "'", "\ua798": 'F', "\ua799": 'f', "\ua79f": 'u',
    "\ua7ab": '3', "\ua7b2": 'J', "\ua7b3": 'X', "\ua7b4": 'B', "\uab32": 'e', "\uab35": 'f',
    "\uab3d": 'o', "\uab47": 'r', "\uab48": 'r', "\uab4e": 'u', "\uab52": 'u', "\uab5a": 'y',
    "\uab63": 'uo', "\U0001d206": '3', "\U0001d20d": 'V', "\U0001d20f": '\\', "\U0001d212": '7',
    "\U0001d213": 'F', "\U0001d216": 'R', "\U0001d22a": 'L', "\U0001d236": '<', "\U0001d237": '>',
    "\U0001d23a": '/', "\U0001d23b": '\\',
}
