"""How the interview rules read a candidate's text: one normalisation, one idea of a word and of a clause.

`fold` turns a reply into lower-case ASCII-ish text (NFKC, casefold, accents stripped, apostrophes
dropped so "don't" == "dont", yes/no emoji turned into the words "yes"/"no"). `words` splits folded text
into canonical tokens: letters and digits only, runs of a repeated letter collapsed ("soooo" -> "so",
"hmmm" -> "hm", "sorry" -> "sory"), laughter unified ("hahaha", "lolol" -> "haha"). Vocabularies compared
with tokens are canonicalised the same way, so both sides always agree. `clauses` cuts folded text at
punctuation and at conjunctions ("but", "because"), remembering which clause was a question.

Everything is pure and cheap: regexes are compiled at import and the only cache is a bounded memo of the
per-token typo matching.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Emoji that answer a yes/no question; every other emoji carries no answer and is dropped with punctuation.
YES_EMOJI = frozenset("👍✅✔☑👌🙆")
NO_EMOJI = frozenset("👎❌✖❎🙅🚫")
_EMOJI_WORDS = str.maketrans({**{e: " yes " for e in YES_EMOJI}, **{e: " no " for e in NO_EMOJI}})

_APOSTROPHES = re.compile(r"['’‘`´ʼ′]")
# "don t" (a keyboard that turned the apostrophe into a space) -> "dont".
_SPLIT_CONTRACTION = re.compile(
    r"\b(don|can|won|isn|aren|didn|doesn|haven|hasn|wasn|weren|wouldn|couldn|shouldn|ain) t\b"
)
_WORD = re.compile(r"[^\W_]+")
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1+")
_LAUGH = re.compile(r"(?:(?:ha)+h?|(?:he)+h?|(?:ah)+|l(?:ol)+|lmf?ao+|rofl)")
# Clause boundaries: sentence punctuation, a dash between spaces, and the conjunctions that join a
# non-answer to a real one ("not sure, but we grew 40%"). Not "and": it joins the parts of one object
# ("no idea what the difference between TCP and UDP is"). The group keeps the delimiter for `?`.
_PUNCTUATION_BREAK = r"[.,;:!?…\n\r()\[\]{}\"“”«»•]+|\s[-–—]+\s"
_CONJUNCTIONS = "but however though although because cause cuz coz except".split()
_CLAUSE_BREAK = re.compile(rf"({_PUNCTUATION_BREAK}|\b(?:{'|'.join(_CONJUNCTIONS)})\b)")
# For yes/no reading "and" cuts too: "yes and no" is two answers.
_CLAUSE_BREAK_AT_AND = re.compile(
    rf"({_PUNCTUATION_BREAK}|\b(?:{'|'.join([*_CONJUNCTIONS, 'and', 'plus'])})\b)"
)


def fold(text: str) -> str:
    """Case-, width- and accent-insensitive form of `text`; apostrophes removed, yes/no emoji as words."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_EMOJI_WORDS)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text)
    return _SPLIT_CONTRACTION.sub(r"\1t", text)


def canonical(token: str) -> str:
    """One token in canonical form: repeated letters collapsed, laughter unified."""
    token = _REPEATED_LETTER.sub(r"\1", token)
    return "haha" if _LAUGH.fullmatch(token) else token


def words(folded: str) -> list[str]:
    """Canonical tokens of already folded text (punctuation, symbols and emoji are not words)."""
    return [canonical(t) for t in _WORD.findall(folded)]


def vocabulary(entries: Iterable[str]) -> frozenset[str]:
    """A word set in the canonical form `words` produces."""
    return frozenset(w for entry in entries for w in words(fold(entry)))


def phrases(entries: Iterable[str]) -> frozenset[tuple[str, ...]]:
    """Multi-word phrases as canonical token tuples."""
    return frozenset(tuple(words(fold(entry))) for entry in entries)


def table(text: str) -> list[str]:
    """Phrases written one per "|" or line, so long vocabularies stay readable (and formatter-proof)."""
    return [p.strip() for p in text.replace("\n", "|").split("|") if p.strip()]


@dataclass(frozen=True, slots=True)
class Clause:
    tokens: tuple[str, ...]
    question: bool  # ended with "?"


def iter_clauses(folded: str, *, at_and: bool = False) -> Iterator[Clause]:
    """The clauses of folded text, lazily (a caller that stops early skips the rest); empty ones dropped.
    `at_and` also cuts at "and", as yes/no reading needs ("yes and no")."""
    parts = (_CLAUSE_BREAK_AT_AND if at_and else _CLAUSE_BREAK).split(folded)
    for i in range(0, len(parts), 2):
        tokens = words(parts[i])
        if tokens:
            delimiter = parts[i + 1] if i + 1 < len(parts) else ""
            yield Clause(tuple(tokens), "?" in delimiter)


def clauses(folded: str, *, at_and: bool = False) -> list[Clause]:
    """Split folded text into clauses; clauses without any word are dropped."""
    return list(iter_clauses(folded, at_and=at_and))


# Typos: a letter missing, two neighbours swapped, or a neighbouring key hit instead. An extra letter is not
# a typo we accept: it turns key words into other real words ("idea" -> "ideal", "know" -> "known").
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours() -> dict[str, frozenset[str]]:
    position = {c: (r, i) for r, row in enumerate(_KEYBOARD_ROWS) for i, c in enumerate(row)}
    neighbours: dict[str, set[str]] = {c: set() for c in position}
    for a, (ra, ia) in position.items():
        for b, (rb, ib) in position.items():
            # Same row: the next key. Each row is shifted right by about half a key from the one above, so
            # "s" touches "w" and "e" above it and "z" and "x" below it.
            below = rb == ra + 1 and ib - ia in (-1, 0)
            above = rb == ra - 1 and ib - ia in (0, 1)
            if (ra == rb and abs(ia - ib) == 1) or below or above:
                neighbours[a].add(b)
    return {c: frozenset(n) for c, n in neighbours.items()}


_NEIGHBOURS = _keyboard_neighbours()
MIN_TYPO_LENGTH = 4  # shorter words are matched exactly: one edit away from "not" are "nit", "but", "hot"...


def is_typo_of(word: str, target: str) -> bool:
    """True when `word` is `target` (4+ letters) with one letter missing, two swapped or one key off."""
    lt, lw = len(target), len(word)
    if lt < MIN_TYPO_LENGTH or word == target:
        return False
    if lw == lt - 1:
        return any(target[:i] + target[i + 1 :] == word for i in range(lt))
    if lw != lt:
        return False
    diffs = [i for i in range(lt) if word[i] != target[i]]
    if len(diffs) == 1:
        i = diffs[0]
        return word[i] in _NEIGHBOURS.get(target[i], ())
    if len(diffs) == 2:
        i, j = diffs
        return j == i + 1 and word[i] == target[j] and word[j] == target[i]
    return False


# Words that carry no answer by themselves. Shared by struggle detection (what is left once these are
# removed?) and yes/no reading (is "I do" followed by anything that matters?).
FUNCTION_WORDS = vocabulary(
    """
    a an the of to in on at for with about by from as into onto over under up out off than then
    between through during before after without within across against among around behind beyond near
    since toward towards upon via per until till while each every other another such same
    and or nor plus it its this that these those there here what which who whom whose how why when where
    whether if
    is are was were be been being am do does did doing done have has had having get got getting
    will would can could should may might must shall wanna gonna gotta let lets
    i me my mine myself you your yours yourself u ur r we us our ours they them their theirs
    he she him her his hers one ones
    im ive id ill youre youve youd youll were weve wed theyre theyve its thats whats theres heres hows whos
    dont doesnt didnt cant cannot wont isnt arent wasnt werent havent hasnt hadnt wouldnt couldnt
    shouldnt mustnt aint
    so just really very too also even still yet again already now much many more most all any anything
    some something nothing everything thing things stuff bit lot lots kind kinda sort sorta type
    answer answers question questions
    exactly actually honestly honest literally basically seriously truly genuinely totally completely
    entirely quite pretty fairly super rather
    """.split()
)
FILLERS = vocabulary(
    """
    um umm uh uhh uhm hm hmm mm mmm mhm er erm eh ah oh ohh ooh ugh argh meh hmph welp oops whoa wow yikes
    huh eek phew tbh ngl tbf imo imho lol haha lmao rofl omg omfg smh jk btw
    well like guess suppose think thinking feel believe mean say tell
    sorry sry soz apologies apologise apologize afraid unfortunately sadly
    please pls plz thanks thank thx ty tysm appreciate appreciated
    hi hello hey yo man bro dude mate sir maam madam buddy guys fam
    wait hold sec second minute moment
    """.split()
)
