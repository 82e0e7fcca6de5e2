"""Is a reply essentially a non-answer ("idk", "no idea", "??", "can you repeat that", 🤷)?

The rule. A reply is *struggling* when none of its clauses is a real answer:

1. Normalise (`shared.interview.text`): NFKC, casefold, accents stripped, apostrophes dropped, repeated
   letters collapsed ("nooo ideaaa" == "no idea"); punctuation and emoji are not words ("👍"/"👎" read as
   yes/no). The reply is cut into clauses at punctuation and at "but", "because", "although", ...
2. A clause is a *non-answer* when
   - it holds a struggle phrase ("I don't know", "no idea", "not sure", "what do you mean", "dunno",
     "no sé", ...; typos of its 4+ letter words allowed: "i dont kno", "no ieda", "not suer"), nothing but
     fillers, pronouns and politeness comes before it ("Honestly, I really have no idea"), and at most
     `MAX_OBJECT_WORDS` content words follow it: the thing not known ("no idea what Kubernetes is",
     "not sure what you mean by stakeholder management"). After "I don't know / understand /
     remember", a plain noun or "how to" makes a statement, an answer: "I don't know Java", "I don't
     understand Spanish", "I don't know how to swim". Some phrases take no object at all ("I give up",
     "I forgot"); some count only in a question ("what is DevOps?"); or
   - no content word is left once function words, fillers ("um", "hmm", "lol", "tbh", "well", "I guess"),
     politeness ("sorry", "thanks") and non-answer words ("pass", "skip", "next", "huh", "again") are set
     aside, the clause is not a short yes/no ("I do", "not really", "nope"), and it hesitates: it holds
     a filler, politeness or non-answer word, or asks ("what?", "who?").
3. A clause of function words only ("All of them", "AM", "now", "same") is neither: it says nothing
   either way, so a reply made only of such clauses is not struggling.
4. Everything else is a real answer, and one real clause makes the whole reply real: "I don't know Java
   but I've used Kotlin for 3 years", "Not sure about the exact number, but we grew revenue 40%",
   "Not sure, maybe 5". Digits are content, so a bare number is an answer, as are "yes", "no" and "ok".

An empty reply, or one made only of punctuation or emoji (other than 👍/👎), is struggling.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from shared.interview.text import (
    FILLERS,
    FUNCTION_WORDS,
    Clause,
    canonical,
    fold,
    is_typo_of,
    iter_clauses,
    table,
    vocabulary,
    words,
)
from shared.interview.yesno import YES_NO_WORDS, leading_polarity

# How many content words may follow a struggle phrase and still be "the thing I don't know" rather than an
# answer. With 2: "I don't know much about cloud computing" is a non-answer, "I do not know of a better
# tool than Excel" (3) is an answer.
MAX_OBJECT_WORDS = 2

# "I don't know / understand / remember": with a wh-word or "about" after it, what follows is the thing not
# known ("I don't know what a REST API is"); with a plain noun or "how to" it is a statement, an answer
# ("I don't know Java", "I don't understand Spanish", "I don't know how to swim").
_KNOW = """
    i dont know | dont know | do not know | dont no | dont knw | dont really know
    dont understand | do not understand | didnt understand
    cant remember | cannot remember | can not remember | dont remember | do not remember | cant recall |
    dont recall
"""
# Phrases that say "I can't answer this" and may name what it is about.
_ABOUT = """
    no idea | no clue | not a clue | no real idea | not the slightest idea | not the faintest idea |
    not the foggiest | not the foggiest idea | not the slightest clue | havent got a clue | havent a clue |
    have not got a clue
    not sure | not certain | not too sure | no sure | not positive
    dont get it | didnt get it | dont get that | didnt get that | dont get the question | dont get what |
    not following | dont follow | lost me
    what do you mean | what does that mean | what does it mean | what does this mean | what is that |
    whats that | what is this | whats this | what are you asking | what should i say | what to say
    can you repeat | could you repeat | repeat that | repeat the question | can you explain |
    could you explain | explain the question | can you clarify | could you clarify | please clarify
    cant think of | cant answer | cannot answer | can not answer | cant say | hard to say |
    dont have an answer | have no answer
    no se | no lo se | ni idea | no tengo idea | no entiendo | no sabo |
    je ne sais pas | je sais pas | sais pas | aucune idee | je ne comprends pas |
    nao sei | sei la | nao entendi | keine ahnung | ich weiss nicht | weiss nicht | weis nicht |
    non lo so | non so
"""
# One-word shorthand, matched exactly: typo matching would read "insure" as "unsure".
_SHORTHAND = "idk idek idfk ikd dk dunno donno dno unsure uncertain clueless wdym wym jsp"
# Phrases that end the clause: "I give up", but not "I give up my weekends to volunteer".
_BARE = """
    i give up | give up | no comment | i forgot | i forget | forgot | my mind is blank | mind is blank |
    mind went blank | drawing a blank | im blanking | blanking | blank | next question | move on |
    skip this | skip it | come again | say again | say that again | repeat please | once more |
    one more time | no answer | cant think
"""
# Only when asked back, with a question mark: "what is DevOps?" (but "What is important is trust" answers).
_QUESTION = """
    what is | whats | what are | what does | what do | do you mean | you mean | meaning | for example |
    example
"""

# Between a phrase's words these may appear: "not really sure", "no freaking idea", "not 100% sure".
_INTENSIFIERS = vocabulary(
    "really so too quite entirely totally exactly even actually honestly completely 100 very absolutely "
    "fully super real freaking fricking fucking fking effing bloody damn whatsoever".split()
)
# Words that add nothing to a non-answer (beyond function words and fillers).
_NON_ANSWER_WORDS = vocabulary(
    "pass skip next move lost confused confusing repeat again pardon come clarify huh explain meaning "
    "whatever unclear difference".split()
)
_NOT_CONTENT = FUNCTION_WORDS | FILLERS | _NON_ANSWER_WORDS | _INTENSIFIERS
_ARTICLES = frozenset({"a", "an", "the"})
# What shows hesitation in a clause without content: "um", "sorry", "lol", "pass", "what", "huh".
_HESITATION = FILLERS | _NON_ANSWER_WORDS | vocabulary("what wut wat who why how".split())
_ANSWER, _STRUGGLE, _NEUTRAL = "answer", "struggle", "neutral"


@dataclass(frozen=True, slots=True)
class _Phrase:
    tokens: tuple[str, ...]
    max_object: int
    question_only: bool = False
    direct_object_answers: bool = False  # "I don't know Java" is an answer (see _KNOW)


def _phrase_table() -> dict[str, tuple[_Phrase, ...]]:
    def split(text: str) -> list[tuple[str, ...]]:
        return [tuple(words(fold(p))) for p in table(text)]

    entries = [
        *(_Phrase(p, MAX_OBJECT_WORDS, direct_object_answers=True) for p in split(_KNOW)),
        *(_Phrase(p, MAX_OBJECT_WORDS) for p in split(_ABOUT)),
        *(_Phrase((canonical(w),), MAX_OBJECT_WORDS) for w in _SHORTHAND.split()),
        *(_Phrase(p, 0) for p in split(_BARE)),
        *(_Phrase(p, MAX_OBJECT_WORDS, question_only=True) for p in split(_QUESTION)),
    ]
    by_first: dict[str, list[_Phrase]] = {}
    for phrase in entries:
        by_first.setdefault(phrase.tokens[0], []).append(phrase)
    # Longest first, so "what do you mean" wins over "what do".
    return {w: tuple(sorted(ps, key=lambda p: -len(p.tokens))) for w, ps in by_first.items()}


_PHRASES_BY_FIRST_WORD = _phrase_table()
_PHRASE_WORDS = frozenset(w for ps in _PHRASES_BY_FIRST_WORD.values() for p in ps for w in p.tokens)
# Typos are read only inside multi-word phrases, where the other words give context.
_TYPO_TARGETS = frozenset(
    w for ps in _PHRASES_BY_FIRST_WORD.values() for p in ps if len(p.tokens) > 1 for w in p.tokens
)


@lru_cache(maxsize=8192)
def _readings(token: str) -> frozenset[str]:
    """The phrase words `token` may stand for: itself, or the words it is one typo away from."""
    if token in _PHRASE_WORDS or token.isdigit():
        return frozenset((token,))
    return frozenset((token, *(w for w in _TYPO_TARGETS if is_typo_of(token, w))))


def _match(phrase: _Phrase, tokens: tuple[str, ...], start: int) -> int | None:
    """End index of `phrase` matched at `start`, or None."""
    multi = len(phrase.tokens) > 1
    j, k = 0, start
    while j < len(phrase.tokens):
        if k >= len(tokens):
            return None
        token, wanted = tokens[k], phrase.tokens[j]
        if token == wanted or (multi and wanted in _readings(token)):
            j, k = j + 1, k + 1
        elif j > 0 and token in _INTENSIFIERS:
            k += 1
        else:
            return None
    return k


def _find_phrases(clause: Clause) -> list[tuple[int, int, _Phrase]]:
    """Non-overlapping struggle phrases, left to right, longest first: (start, end, phrase)."""
    tokens, found, i = clause.tokens, [], 0
    while i < len(tokens):
        best: tuple[int, int, _Phrase] | None = None
        for first in _readings(tokens[i]):
            for phrase in _PHRASES_BY_FIRST_WORD.get(first, ()):
                if phrase.question_only and not clause.question:
                    continue
                end = _match(phrase, tokens, i)
                if end is not None and (best is None or end > best[1]):
                    best = (i, end, phrase)
        if best is None:
            i += 1
        else:
            found.append(best)
            i = best[1]
    return found


def _is_content(token: str) -> bool:
    return token not in _NOT_CONTENT


def _has_direct_object(tokens: tuple[str, ...], after: int, objects: int) -> bool:
    """Does a plain noun ("Java", "the company") or "how to <verb>" follow the phrase ending at `after`?"""
    while after < len(tokens) and tokens[after] in _ARTICLES:
        after += 1
    if after >= len(tokens):
        return False
    if tokens[after : after + 2] == ("how", "to"):
        return objects > 0  # "how to swim" is a statement; "how to answer that" is not
    return _is_content(tokens[after]) and tokens[after] not in YES_NO_WORDS


def _judge(clause: Clause) -> str:
    """ANSWER, STRUGGLE, or NEUTRAL (only function words: "All of them", "AM", "now" say nothing)."""
    tokens = clause.tokens
    spans = _find_phrases(clause)
    in_phrase = {i for start, end, _ in spans for i in range(start, end)}
    if spans:
        start, end, phrase = spans[0]
        lead_in_is_empty = not any(_is_content(t) and t not in YES_NO_WORDS for t in tokens[:start])
        objects = sum(1 for i in range(start, len(tokens)) if i not in in_phrase and _is_content(tokens[i]))
        statement = phrase.direct_object_answers and _has_direct_object(tokens, end, objects)
        if lead_in_is_empty and objects <= phrase.max_object and not statement:
            return _STRUGGLE
    if any(_is_content(t) for i, t in enumerate(tokens) if i not in in_phrase):
        return _ANSWER
    if leading_polarity(tokens) is not None:  # "I do", "not really"
        return _ANSWER
    if clause.question or any(t in _HESITATION for t in tokens):
        return _STRUGGLE
    return _NEUTRAL


def is_struggling(answer: str) -> bool:
    """True when the reply is essentially a non-answer (see the module docstring for the rule)."""
    struggled = saw_words = False
    for clause in iter_clauses(fold(answer)):
        saw_words = True
        verdict = _judge(clause)
        if verdict is _ANSWER:
            return False
        struggled = struggled or verdict is _STRUGGLE
    return struggled or not saw_words
