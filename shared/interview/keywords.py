"""Keywords in an inbound SMS, read the way Twilio's opt-out handling reads them.

Twilio (default handling and Advanced Opt-Out alike) acts on a message that is *only* the keyword, in any
case: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT block the number; START, UNSTOP, YES
unblock it; HELP, INFO get the help text. It forwards the message to the webhook either way, and the app
must agree with it: after STOP it sends nothing more to that number.

`classify_keyword` matches the whole message, ignoring case, spaces, punctuation, emoji and repeated letters
("Stop.", " STOP!! ", "stoooop", "opt-out", "I'm ready"). Beyond Twilio's words it also reads a few
unmistakable opt-out sentences ("please stop", "stop texting me", "remove me") as STOP: a reasonable person
would read them as withdrawing consent, which US rules (TCPA) require honouring. Twilio does not block
those, so no Twilio confirmation follows them; the app still sends nothing more.

A STOP is a STOP even mid-interview, when "Stop" might have been meant as an answer: Twilio has blocked
the number already, so the interview cannot go on.

YES is special. Twilio re-subscribes an opted-out number that texts YES, but during an interview "yes" is
the answer to a question. So `classify_keyword("yes")` is None (an answer), and `is_opt_in_keyword` knows
Twilio's full opt-in list: the webhook treats YES as START only when the number is opted out:

    keyword = classify_keyword(body)
    if keyword is Keyword.STOP: opt out (and end the active interview)
    elif opted_out and is_opt_in_keyword(body): opt in
    ...

READY ("ready", "I'm ready", "ready now") asks to resume a paused interview early; the webhook acts on it
only when the interview is paused, otherwise the message is an ordinary answer.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from shared.interview.text import is_typo_of, table


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    READY = "ready"


# Twilio's own lists (Messaging Services default handling).
TWILIO_OPT_OUT_WORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT")
TWILIO_OPT_IN_WORDS = ("START", "UNSTOP", "YES")
TWILIO_HELP_WORDS = ("HELP", "INFO")

_NOT_LETTERS = re.compile(r"[\W_]+")
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1+")
# Keywords are short: a longer message is an answer, and the hot path need not normalise it.
_MAX_KEYWORD_MESSAGE = 60


def _key(text: str) -> str:
    """Letters and digits only, lower case, repeated letters collapsed: " Opt-Out!! " -> "optout"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _REPEATED_LETTER.sub(r"\1", _NOT_LETTERS.sub("", folded))


def _keys(words: list[str]) -> frozenset[str]:
    return frozenset(_key(w) for w in words)


_STOP = _keys(
    [
        *TWILIO_OPT_OUT_WORDS,
        *table(
            """
            stop all | opt out | opt me out | please stop | stop please | stop it | stop now | stop texting |
            stop texting me | stop messaging | stop messaging me | stop contacting me | stop sending |
            stop sending me texts | stop sending me messages | stop the texts | stop the messages |
            unsubscribe me | please unsubscribe me | remove me | please remove me | remove me from your list |
            take me off your list | take me off | dont text me | do not text me | dont contact me |
            do not contact me | dont message me | do not message me | no more texts | no more messages |
            cancel please | please cancel
            """
        ),
    ]
)
_START = _keys(["START", "UNSTOP"])
_OPT_IN = _keys(list(TWILIO_OPT_IN_WORDS))
_HELP = _keys(list(TWILIO_HELP_WORDS))
_READY = _keys(
    table(
        """
        ready | rdy | im ready | i am ready | ready now | im ready now | i am ready now | ready to go |
        ready to continue | ready to start | lets continue | lets go | continue | resume | im back | i am back
        """
    )
)


def classify_keyword(body: str) -> Keyword | None:
    """The keyword the whole message is, or None for anything else (see the module docstring)."""
    if len(body) > _MAX_KEYWORD_MESSAGE:
        return None
    key = _key(body)
    if not key:
        return None
    if key in _STOP:
        return Keyword.STOP
    if key in _START:
        return Keyword.START
    if key in _HELP:
        return Keyword.HELP
    if key in _READY or (is_typo_of(key, "ready") and key != "read"):
        return Keyword.READY
    return None


def is_opt_in_keyword(body: str) -> bool:
    """True for START, UNSTOP and YES, Twilio's opt-in words. Use only for a number that has opted out."""
    return len(body) <= _MAX_KEYWORD_MESSAGE and _key(body) in _OPT_IN
