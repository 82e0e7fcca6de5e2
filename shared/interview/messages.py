"""Every SMS the product sends, as functions returning the text, and the GSM-7 arithmetic that keeps it cheap.

Length rules. An SMS is GSM-7 (160 characters, 153 per part once split) unless one character is outside the
GSM-7 alphabet (a curly quote, an emoji, most accented letters): then the whole message is UCS-2, 70
characters (67 per part), and costs two to three times as much. So every template here is plain GSM-7 and
renders to at most `MAX_SEGMENTS` parts with any argument, and text from outside (the company name, the
job title, a recruiter's question) goes through `sms_text`, which turns smart quotes, dashes, ellipses and
odd spaces into their GSM-7 equivalents (`to_gsm7`) unless that would lose letters (a question in Greek or
Chinese stays UCS-2 rather than vanish). Arguments that could overflow are shortened (a long job title)
or the message falls back to a shorter form (a reminder drops the repeated question). A question is never
cut: up to `QUESTION_TEXT_LIMIT` GSM-7 characters it fits in two parts.

Keywords (STOP, START, HELP) and who answers them:
- STOP: Twilio blocks the number and sends its own confirmation. The app must NOT send one (there is no
  `opted_out_confirmation`): a second text after STOP is exactly what the candidate asked us not to do,
  and Twilio rejects it anyway (error 21610).
- START and HELP: with Twilio's keyword handling on (its default for long codes, and Advanced Opt-Out),
  Twilio answers these itself too, so `opted_in_confirmation` and `help_reply` are for senders where it is
  off (a short code outside a Messaging Service, or handling disabled); otherwise the candidate gets two
  replies. Configure Twilio's HELP text from `help_reply()`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime

from shared.interview.schedule import zone

MAX_SEGMENTS = 2
COMPANY_NAME_LIMIT = 40
SINGLE_GSM7, PART_GSM7 = 160, 153
SINGLE_UCS2, PART_UCS2 = 70, 67

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # sent as ESC + character: two septets each
_GSM7 = _GSM7_BASIC | _GSM7_EXTENDED

# Typographic characters and their GSM-7 stand-ins. Applied before NFKC, which would turn some of them
# (the acute accent, the prime) into sequences with combining marks.
_TO_GSM7 = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′ʼ`´‹›", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−⁃", "-"),
        **dict.fromkeys("•·●▪◦∙", "-"),
        **dict.fromkeys("\u00a0\u202f\u205f\u3000\t", " "),
        **{chr(c): " " for c in range(0x2000, 0x200B)},  # en quad ... hair space
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
        "…": "...",
        "⁄": "/",
        "÷": "/",
        "×": "x",
        "≤": "<=",
        "≥": ">=",
        "≠": "!=",
        "→": "->",
        "←": "<-",
        "©": "(c)",
        "®": "(R)",
        "™": "TM",
        "¢": "c",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
    }
)
_SPACES = re.compile(r"[ ]{2,}")
_LINE_ENDS = re.compile(r"\r\n?")


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 alphabet (basic or extension table)."""
    return all(c in _GSM7 for c in text)


def segments(text: str) -> int:
    """How many SMS parts `text` takes: GSM-7 160 / 153 per part (extension characters count two and are
    never split from their escape), else UCS-2 70 / 67 per part (in UTF-16 units, surrogate pairs kept
    whole). An empty message still takes one part."""
    if is_gsm7(text):
        units, single, part = [2 if c in _GSM7_EXTENDED else 1 for c in text], SINGLE_GSM7, PART_GSM7
    else:
        units, single, part = [2 if ord(c) > 0xFFFF else 1 for c in text], SINGLE_UCS2, PART_UCS2
    if sum(units) <= single:
        return 1
    count, used = 1, 0
    for unit in units:
        if used + unit > part:
            count, used = count + 1, 0
        used += unit
    return count


def _convert(text: str) -> tuple[str, bool]:
    """(GSM-7 text, whether a letter or digit had to be dropped)."""
    text = unicodedata.normalize("NFKC", _LINE_ENDS.sub("\n", text).translate(_TO_GSM7)).translate(_TO_GSM7)
    out: list[str] = []
    lost_letters = False
    for c in text:
        if c in _GSM7:
            out.append(c)
            continue
        # An accented letter outside GSM-7 keeps its base letter: "á" -> "a", "ç" -> "c".
        kept = "".join(d for d in unicodedata.normalize("NFKD", c) if d in _GSM7)
        out.append(kept)
        if not kept and unicodedata.category(c)[0] in "LN":
            lost_letters = True
    return _SPACES.sub(" ", "".join(out)).strip(), lost_letters


def to_gsm7(text: str) -> str:
    """`text` in GSM-7: typographic characters replaced (’ “ – … nbsp -> ' " - ... space), accents dropped
    where GSM-7 lacks the letter, anything else (emoji, other scripts) removed, spaces tidied."""
    return _convert(text)[0]


def sms_text(text: str) -> str:
    """Text from outside (recruiters, settings) ready to send: GSM-7 when that keeps every letter and
    digit, else the original, tidied (it will go as UCS-2 rather than lose words)."""
    converted, lost_letters = _convert(text)
    if not lost_letters:
        return converted
    tidy = unicodedata.normalize("NFC", _LINE_ENDS.sub("\n", text))
    tidy = "".join(
        " " if c in "\u00a0\u202f\u3000\t" else c for c in tidy if c not in "\u200b\u200c\u2060\ufeff"
    )
    return _SPACES.sub(" ", tidy).strip()


def _fit(render: Callable[[str], str], value: str, max_segments: int = MAX_SEGMENTS) -> str:
    """render(value), shortening `value` (ending it with "...") until the message fits."""
    message = render(value)
    while segments(message) > max_segments and value:
        value = value[: len(value) - 1]
        message = render(value.rstrip(" ,.;:-") + "...")
    return message


def estimate_minutes(question_count: int) -> int:
    """A fair "about N min" for typing the answers on a phone: 1.5 minutes a question, 2 at least."""
    return max(2, math.ceil(question_count * 1.5))


def _name(company: str | None, default: str) -> str:
    """A company name as sent: GSM-7 where possible, at most 40 characters (as the setting allows)."""
    return sms_text(company or "")[:COMPANY_NAME_LIMIT].rstrip() or default


def _questions(count: int) -> str:
    return "1 short question" if count == 1 else f"{count} short questions"


def _check_position(n: int, m: int) -> None:
    if not 1 <= n <= m:
        raise ValueError(f"question {n} of {m} does not exist")


# The messages, in the order a candidate meets them.


def greeting(company: str, job_title: str, question_count: int, est_minutes: int | None = None) -> str:
    """First text of an interview: who is writing, why, how long it takes, and how to opt out."""
    if question_count < 1:
        raise ValueError("an interview has at least one question")
    who = _name(company, "The recruiting team")
    minutes = est_minutes if est_minutes is not None else estimate_minutes(question_count)

    def render(title: str) -> str:
        return (
            f"Hi! This is {who} about your application for {title}{'' if title.endswith('...') else '.'} "
            "We'd like to ask you "
            f"{_questions(question_count)} by text (about {minutes} min). Reply to each in your own words. "
            "Reply HELP for help, STOP to opt out. Msg&data rates may apply."
        )

    return _fit(render, sms_text(job_title) or "the role")


def question(n: int, m: int, text: str) -> str:
    """ "Q2/5: <question>". The question is sent whole: keep it within QUESTION_TEXT_LIMIT characters."""
    _check_position(n, m)
    return f"Q{n}/{m}: {sms_text(text)}"


def reminder(n: int, m: int, text: str, remaining_reminders: int | None = None) -> str:
    """A nudge that repeats the question; if that would be too long, it points to the question above.
    With `remaining_reminders=0` it says this is the last one before the interview closes."""
    _check_position(n, m)
    closing = (
        "This is the last reminder: please reply soon, or the interview will close."
        if remaining_reminders == 0
        else "Reply whenever you can."
    )
    full = f"Reminder - Q{n}/{m}: {sms_text(text)} {closing}"
    if segments(full) <= MAX_SEGMENTS:
        return full
    return f"Reminder: we're still waiting for your answer to Q{n}/{m} (the question above). {closing}"


def struggle_reschedule(local_time: str) -> str:
    """After struggling answers: a kind pause, when we'll continue, and READY to continue sooner."""
    return _fit(
        lambda when: (
            f"No problem, let's take a break. We'll continue on {when}. If you'd like to pick up sooner, "
            "just text READY."
        ),
        to_gsm7(local_time),
    )


def rescheduled(local_time: str) -> str:
    """The recruiter moved the interview."""
    return _fit(
        lambda when: (
            f"Your interview has been moved to {when}. We'll text you then. If you'd like to go ahead "
            "sooner, just text READY."
        ),
        to_gsm7(local_time),
    )


def resumed() -> str:
    return "Welcome back! Let's continue where we left off."


def knockout_ended() -> str:
    """Ends the interview after a disqualifying answer, without saying which rule it broke."""
    return (
        "Thank you for your answers. Based on the requirements for this role, we won't be continuing "
        "this interview. We appreciate your time and interest."
    )


def completed_thanks() -> str:
    return (
        "That's all our questions - thank you! The recruiter will review your answers and contact you "
        "about next steps."
    )


def expired() -> str:
    return (
        "We didn't hear back, so this interview is now closed. Thank you for your interest. If you'd "
        "still like to interview, please contact the recruiter."
    )


def cancelled() -> str:
    return "Your interview has been cancelled by the recruiter, so there's nothing more to answer. Thank you!"


def help_reply(company: str | None = None, contact: str | None = None) -> str:
    """Answer to HELP: what these texts are, how to use them, how to stop (CTIA: name, help, opt-out)."""
    who = _name(company, "Interview AI")

    def render(reach: str) -> str:
        help_line = f" Help: {reach}." if reach else ""
        return (
            f"{who}: job screening texts. Answer each question by reply; text READY to resume a pause."
            f"{help_line} Reply STOP to opt out. Msg&data rates may apply."
        )

    return _fit(render, sms_text(contact or ""))


def no_active_interview() -> str:
    """Reply to a message from a number with no interview in progress."""
    return (
        "Hi! There's no interview in progress for this number. If you applied for a job, the recruiter "
        "will text you when your interview starts. Reply STOP to opt out."
    )


def opted_in_confirmation(company: str | None = None) -> str:
    """After START/UNSTOP (or YES from an opted-out number); only where Twilio does not confirm itself."""
    who = _name(company, "Interview AI")
    return f"You're subscribed again to interview texts from {who}. Reply HELP for help, STOP to opt out."


# When written in the candidate's own time: "Tue, Mar 4 at 10:00 AM EST". English names of our own, so
# the text does not depend on the host's locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def local_time_text(moment: datetime, tz: str) -> str:
    """`moment` (aware) as the candidate reads it in zone `tz`: "Tue, Mar 4 at 10:00 AM EST"."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    local = moment.astimezone(zone(tz))
    hour12 = local.hour % 12 or 12
    text = f"{_DAYS[local.weekday()]}, {_MONTHS[local.month - 1]} {local.day} at {hour12}:{local.minute:02d} "
    text += "AM" if local.hour < 12 else "PM"
    abbreviation = local.tzname() or ""
    return f"{text} {abbreviation}" if abbreviation.isalpha() else text  # "+03" says nothing to a reader


QUESTION_TEXT_LIMIT = MAX_SEGMENTS * PART_GSM7 - len(question(99, 99, ""))
