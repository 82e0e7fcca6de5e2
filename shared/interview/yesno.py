"""Reading a reply as yes or no, conservatively: when in doubt the answer is "neither" (None).

A clause answers yes/no when it *starts* with a yes/no phrase, after fillers ("Um, yes", "Honestly no").
Phrases are matched longest first, so "no problem" and "why not" are yes, "of course not" is no.

"I am", "I do", "I have", "I can", "I will" are yes only as a short answer ("I do.", "I do, thanks"): as
the start of a longer sentence they say nothing about yes/no ("I have a green card" answers "Do you need
sponsorship?" with a no). Negative openings ("I don't", "I'm not", "I can't") count even when a sentence
follows: "I don't need sponsorship" is a no. "I would", "I could" followed by a verb are conditionals and
never a yes: "No, I would need sponsorship" is a no.

`answer_polarity` reads the whole reply: the first clause that is not just fillers decides, and any later
clause that opens with the opposite answer ("Yes, but I can't work weekends") makes the reply ambiguous.
"""

from __future__ import annotations

from enum import StrEnum

from shared.interview.text import FILLERS, FUNCTION_WORDS, clauses, fold, phrases, table


class Polarity(StrEnum):
    YES = "yes"
    NO = "no"


_YES = phrases(
    table(
        """
        yes | y | ya | yah | yea | yeah | yeh | ye | yh | yep | yup | yas | yesh | yessir | ok | okay | okey |
        okie | oki | k | alright | aight | sure | shure | correct | right | true | absolutely | definitely |
        def | certainly | indeed | affirmative | totally | ofc | bet | si | oui | ja | sim
        of course | for sure | you bet | sure thing | all right | that is right | thats right |
        that is correct | thats correct | no problem | no prob | np | no doubt | not a problem | no worries |
        why not | i dont mind | dont mind | i do not mind | id love to | i would love to | love to |
        happy to | i dont see why not | yes please | i sure do | i sure am | i think so | think so |
        i believe so | i guess so | i suppose so
        """
    )
)
_NO = phrases(
    [
        *table(
            """
            no | n | nope | nah | na | nay | never | negative | none | nothing | zero | nil | non | nein
            nao | nop | false | incorrect | not | not really | not yet | not at all | not quite
            of course not | absolutely not | definitely not | certainly not | hell no | no way | no thanks
            no thank you | not true | not correct | not right | afraid not | im afraid not | i am afraid not
            sadly not | im not | ive never | weve never | were not
            """
        ),
        *(
            f"{subject} {verb}"
            for subject in ("i", "we")
            for verb in table(
                """
                dont | do not | cant | cannot | can not | wont | will not | didnt | did not | havent |
                have not | wouldnt | would not | never | have never | am not | are not | arent | dont have |
                do not have | have no
                """
            )
        ),
    ]
)
# Yes only as a short answer: see the module docstring.
_WEAK_YES = phrases(
    f"{subject} {verb}"
    for subject in ("i", "we")
    for verb in ("am", "are", "do", "have", "can", "will", "did", "would", "could", "do have", "have one")
)

_CONDITIONAL = frozenset({"would", "could"})

# Openings that look like a no but say "I can't tell": longer than "not" and "i dont", so they win, unless
# a plain noun follows ("I don't understand Spanish" is a no).
_NEITHER = phrases(
    table(
        """
        not sure | im not sure | i am not sure | not certain | i dont know | i do not know | dont know |
        i dont understand | i do not understand | i dont remember | i cant remember | i cant say |
        i dont get it | i cant tell | no idea | no clue | not a clue | i dont really know
        """
    )
)

_LEXICON: dict[tuple[str, ...], tuple[Polarity | None, bool]] = {
    **{p: (None, False) for p in _NEITHER},
    **{p: (Polarity.YES, False) for p in _YES},
    **{p: (Polarity.YES, True) for p in _WEAK_YES},
    **{p: (Polarity.NO, False) for p in _NO},  # "no" wins a tie: a phrase in both lists is a no
}
_LONGEST = max(len(p) for p in _LEXICON)
YES_NO_WORDS = frozenset(p[0] for p, (polarity, _) in _LEXICON.items() if len(p) == 1 and polarity)
# What may come before the answer: "Um, honestly, I'm afraid I can't".
_SKIPPABLE = FILLERS | frozenset("so honestly actually really im i just well oh hi".split())
_NOT_CONTENT = FUNCTION_WORDS | FILLERS | YES_NO_WORDS


def _names_a_thing(tokens: tuple[str, ...], i: int) -> bool:
    """Does a plain noun follow at `i` ("I don't understand [the] Spanish")?"""
    while i < len(tokens) and tokens[i] in ("a", "an", "the"):
        i += 1
    if tokens[i : i + 2] == ("how", "to"):
        i += 2  # "how to swim" names a skill; "how to answer" does not
    return i < len(tokens) and tokens[i] not in _NOT_CONTENT


def _match_at(tokens: tuple[str, ...], i: int) -> tuple[Polarity | None, bool, int] | None:
    for length in range(min(_LONGEST, len(tokens) - i), 0, -1):
        entry = _LEXICON.get(tokens[i : i + length])
        if entry is None:
            continue
        if entry[0] is None and _names_a_thing(tokens, i + length):
            continue  # "I don't know Java" is a no, unlike "I don't know (what you mean)"
        return entry[0], entry[1], i + length
    return None


def leading_polarity(tokens: tuple[str, ...], *, strict: bool = True) -> Polarity | None:
    """The yes/no a clause opens with, or None. `strict=False` also accepts "I have ..." as yes."""
    i = 0
    while i < len(tokens):
        match = _match_at(tokens, i)
        if match is not None:
            polarity, weak, end = match
            if weak and any(t not in _NOT_CONTENT for t in tokens[end:]):
                # As the start of a sentence a weak yes says nothing when strict, and a conditional never
                # does: "No, I would need sponsorship" is a plain no.
                if strict or tokens[end - 1] in _CONDITIONAL:
                    return None
            return polarity
        if tokens[i] not in _SKIPPABLE:
            return None
        i += 1
    return None


def answer_polarity(answer: str) -> Polarity | None:
    """YES or NO when the reply clearly says so, else None (see the module docstring)."""
    primary: Polarity | None = None
    decided = False
    for clause in clauses(fold(answer), at_and=True):
        if not decided:
            primary = leading_polarity(clause.tokens, strict=True)
            if primary is None and all(t in _SKIPPABLE for t in clause.tokens):
                continue  # "Honestly, yes": the first clause says nothing yet
            if primary is None:
                return None
            decided = True
            continue
        other = leading_polarity(clause.tokens, strict=False)
        if other is not None and other is not primary:
            return None
    return primary
