"""SMS texts: every template stays GSM-7 and within two parts, whatever recruiters and settings put in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from shared.interview import messages
from shared.interview.messages import (
    MAX_SEGMENTS,
    QUESTION_TEXT_LIMIT,
    is_gsm7,
    local_time_text,
    segments,
    sms_text,
    to_gsm7,
)

SMART_QUESTION = "What’s your “favourite” tool — and why…?\u00a0Tell us in 1–2 lines 😀"
WORST_COMPANY = "W" * 40  # the company name setting allows 40 characters
WORST_TITLE = "Senior Warehouse Operations Associate – Night Shift, “Fulfilment” Centre " * 3  # 200+ chars
WORST_WHEN = "Wednesday, September 30 at 10:00 AM AKDT " * 4


def every_message() -> list[tuple[str, Callable[[], str]]]:
    """Every template, with realistic and with worst-case arguments."""
    long_question = "Describe a time you handled a difficult customer. " * 10
    return [
        ("greeting", lambda: messages.greeting("Acme Logistics", "Warehouse Associate", 5)),
        ("greeting one question", lambda: messages.greeting("Acme", "Driver", 1)),
        ("greeting worst", lambda: messages.greeting(WORST_COMPANY, WORST_TITLE, 99, 999)),
        ("greeting oversized company", lambda: messages.greeting("C" * 500, WORST_TITLE, 99, 999)),
        ("greeting smart title", lambda: messages.greeting("Café “Nº1”", "Barista – weekends", 3)),
        ("question", lambda: messages.question(1, 5, "How many years have you driven a forklift?")),
        ("question smart quotes", lambda: messages.question(2, 5, SMART_QUESTION)),
        ("question at the limit", lambda: messages.question(99, 99, "x" * QUESTION_TEXT_LIMIT)),
        ("reminder", lambda: messages.reminder(3, 5, "Can you work weekends?")),
        ("reminder last", lambda: messages.reminder(3, 5, SMART_QUESTION, remaining_reminders=0)),
        ("reminder long question", lambda: messages.reminder(99, 99, long_question, remaining_reminders=0)),
        ("struggle_reschedule", lambda: messages.struggle_reschedule("Tue, Mar 4 at 10:00 AM EST")),
        ("struggle_reschedule worst", lambda: messages.struggle_reschedule(WORST_WHEN)),
        ("rescheduled", lambda: messages.rescheduled("Tue, Mar 4 at 10:00 AM EST")),
        ("rescheduled worst", lambda: messages.rescheduled(WORST_WHEN)),
        ("resumed", messages.resumed),
        ("knockout_ended", messages.knockout_ended),
        ("completed_thanks", messages.completed_thanks),
        ("expired", messages.expired),
        ("cancelled", messages.cancelled),
        ("help_reply", messages.help_reply),
        ("help_reply worst", lambda: messages.help_reply(WORST_COMPANY, "jobs@example.com, 555-0100 " * 10)),
        ("no_active_interview", messages.no_active_interview),
        ("opted_in_confirmation", messages.opted_in_confirmation),
        ("opted_in_confirmation worst", lambda: messages.opted_in_confirmation("C" * 500)),
    ]


@pytest.mark.parametrize(("name", "render"), every_message(), ids=[n for n, _ in every_message()])
def test_every_message_is_gsm7_and_at_most_two_parts(name: str, render: Callable[[], str]) -> None:
    text = render()
    assert text and is_gsm7(text), f"{name} is not GSM-7: {text!r}"
    assert segments(text) <= MAX_SEGMENTS, f"{name} takes {segments(text)} parts"


@pytest.mark.parametrize(
    "render",
    [
        messages.resumed,
        messages.knockout_ended,
        messages.completed_thanks,
        messages.expired,
        messages.cancelled,
        messages.help_reply,
        messages.no_active_interview,
        messages.opted_in_confirmation,
        lambda: messages.struggle_reschedule("Wed, Sep 30 at 10:00 AM AKDT"),
        lambda: messages.rescheduled("Wed, Sep 30 at 10:00 AM AKDT"),
        lambda: messages.reminder(3, 5, "Can you work weekends?"),
    ],
)
def test_the_short_messages_fit_one_part(render: Callable[[], str]) -> None:
    # Each part is billed: these are sent often enough that a second part would double their cost.
    assert segments(render()) == 1


def test_the_app_never_confirms_an_opt_out() -> None:
    # Twilio confirms STOP itself; a second text after STOP is what the candidate asked us not to send.
    assert not hasattr(messages, "opted_out_confirmation")


# Contents


def test_greeting_says_who_why_how_long_and_how_to_stop() -> None:
    text = messages.greeting("Acme Logistics", "Warehouse Associate", 5)
    assert "Acme Logistics" in text and "Warehouse Associate" in text
    assert "5 short questions" in text and "about 8 min" in text
    assert "Reply HELP for help, STOP to opt out" in text
    assert "1 short question " in messages.greeting("Acme", "Driver", 1)
    assert "about 12 min" in messages.greeting("Acme", "Driver", 5, est_minutes=12)


def test_greeting_shortens_a_long_job_title_but_keeps_the_rest() -> None:
    text = messages.greeting(WORST_COMPANY, WORST_TITLE, 30)
    assert "..." in text and WORST_COMPANY in text and "STOP to opt out" in text
    assert "Senior Warehouse Operations Associate - Night Shift" in text
    assert "...." not in text


def test_greeting_needs_a_question() -> None:
    with pytest.raises(ValueError):
        messages.greeting("Acme", "Driver", 0)


def test_question_is_numbered_and_never_cut() -> None:
    assert messages.question(1, 5, "Can you lift 50 lbs?") == "Q1/5: Can you lift 50 lbs?"
    long_text = "y" * (QUESTION_TEXT_LIMIT + 50)
    assert messages.question(1, 5, long_text).endswith(long_text)


def test_question_text_limit_is_exactly_two_parts() -> None:
    assert QUESTION_TEXT_LIMIT == 2 * 153 - len("Q99/99: ")
    assert segments(messages.question(99, 99, "x" * QUESTION_TEXT_LIMIT)) == 2
    assert segments(messages.question(99, 99, "x" * (QUESTION_TEXT_LIMIT + 1))) == 3


def test_a_recruiters_smart_quotes_do_not_make_the_question_ucs2() -> None:
    text = messages.question(2, 5, SMART_QUESTION)
    assert text == 'Q2/5: What\'s your "favourite" tool - and why...? Tell us in 1-2 lines'
    assert is_gsm7(text)


def test_a_question_in_another_script_is_sent_as_written() -> None:
    # Dropping what GSM-7 lacks would leave nothing of a Russian question: it goes as UCS-2 instead.
    text = messages.question(1, 2, "Сколько лет вы работали водителем?")
    assert text == "Q1/2: Сколько лет вы работали водителем?"
    assert not is_gsm7(text)


def test_reminder_repeats_the_question_and_warns_on_the_last_one() -> None:
    text = messages.reminder(2, 5, "Can you work weekends?", remaining_reminders=1)
    assert text.startswith("Reminder - Q2/5: Can you work weekends?")
    assert "last reminder" not in text
    last = messages.reminder(2, 5, "Can you work weekends?", remaining_reminders=0)
    assert "last reminder" in last and "close" in last


def test_reminder_for_a_long_question_points_to_it_instead() -> None:
    text = messages.reminder(4, 5, "Tell us about your last job. " * 12, remaining_reminders=0)
    assert "Q4/5" in text and "the question above" in text and "last reminder" in text
    assert "Tell us about" not in text


def test_reschedule_messages_say_when_and_offer_ready() -> None:
    for text in (
        messages.struggle_reschedule("Tue, Mar 4 at 10:00 AM EST"),
        messages.rescheduled("Tue, Mar 4"),
    ):
        assert "Tue, Mar 4" in text and "READY" in text


def test_help_reply_names_the_company_and_the_keywords() -> None:
    text = messages.help_reply("Acme", "jobs@acme.example")
    assert text.startswith("Acme:") and "jobs@acme.example" in text
    assert "READY" in text and "STOP" in text and "Msg&data rates may apply" in text


@pytest.mark.parametrize("n, m", [(0, 5), (6, 5), (-1, 1)])
def test_question_numbers_must_make_sense(n: int, m: int) -> None:
    with pytest.raises(ValueError):
        messages.question(n, m, "?")
    with pytest.raises(ValueError):
        messages.reminder(n, m, "?")


# GSM-7 arithmetic


@pytest.mark.parametrize(
    ("text", "gsm7"),
    [
        ("Hello, world! 100% @home", True),
        ("café Ça Ñoño ü", True),  # é Ç Ñ ñ ü are in the GSM-7 alphabet
        ("[{€}]~^|\\", True),  # the extension table
        ("line\nbreak", True),
        ("á", False),
        ("’", False),
        ("`", False),
        ("😀", False),
        ("Привет", False),
    ],
)
def test_is_gsm7(text: str, gsm7: bool) -> None:
    assert is_gsm7(text) is gsm7


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters count two
        ("€" * 81, 2),
        ("a" * 152 + "€" + "a" * 152, 3),  # 306 septets, but the escape pair cannot be split
        ("á" * 70, 1),
        ("á" * 71, 2),
        ("á" * 134, 2),
        ("á" * 135, 3),
        ("😀" * 35, 1),  # two UTF-16 units each
        ("😀" * 36, 2),
        ("á" * 66 + "😀" + "á" * 66, 3),  # 134 units, but the surrogate pair cannot be split
    ],
)
def test_segments(text: str, parts: int) -> None:
    assert segments(text) == parts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it’s ‘quoted’", "it's 'quoted'"),
        ("“double” „low“ «guillemets»", '"double" "low" "guillemets"'),
        ("1–2 — 3 − 4", "1-2 - 3 - 4"),
        ("wait…", "wait..."),
        ("no\u00a0break\u202fthin\u2009space", "no break thin space"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("soft\u00adhyphen", "softhyphen"),
        ("tab\there", "tab here"),
        ("crlf\r\nline", "crlf\nline"),
        ("café", "café"),
        ("ação á ç", "acao a c"),
        ("Łódź", "Lodz"),
        ("Œuvre", "OEuvre"),
        ("ＡＢＣ １２３", "ABC 123"),
        ("ﬁne", "fine"),
        ("½ cup", "1/2 cup"),
        ("Brand™ ©", "BrandTM (c)"),
        ("• bullet", "- bullet"),
        ("great 👍 job 🎉", "great job"),
        ("`code`", "'code'"),
    ],
)
def test_to_gsm7(text: str, expected: str) -> None:
    assert to_gsm7(text) == expected


def test_to_gsm7_always_returns_gsm7() -> None:
    for code in range(0x20, 0x3400):
        assert is_gsm7(to_gsm7(chr(code))), hex(code)
    for emoji in ("😀", "👍🏽", "🤷‍♂️", "🇺🇸"):
        assert to_gsm7(emoji) == ""


def test_sms_text_prefers_gsm7_unless_letters_would_be_lost() -> None:
    assert sms_text("It’s great 👍") == "It's great"
    assert sms_text("Ελληνικά ok?") == "Ελληνικά ok?"  # Greek lower case is not in GSM-7
    assert sms_text("漢字\u200b  テスト") == "漢字 テスト"


# local_time_text


@pytest.mark.parametrize(
    ("moment", "tz", "expected"),
    [
        (datetime(2024, 3, 4, 15, 0, tzinfo=UTC), "America/New_York", "Mon, Mar 4 at 10:00 AM EST"),
        (datetime(2024, 7, 4, 14, 30, tzinfo=UTC), "America/New_York", "Thu, Jul 4 at 10:30 AM EDT"),
        (datetime(2024, 7, 4, 4, 0, tzinfo=UTC), "America/New_York", "Thu, Jul 4 at 12:00 AM EDT"),
        (datetime(2024, 7, 4, 16, 5, tzinfo=UTC), "America/New_York", "Thu, Jul 4 at 12:05 PM EDT"),
        (datetime(2024, 12, 31, 23, 0, tzinfo=UTC), "Europe/London", "Tue, Dec 31 at 11:00 PM GMT"),
        (datetime(2024, 3, 4, 15, 0, tzinfo=UTC), "Asia/Dubai", "Mon, Mar 4 at 7:00 PM"),  # zone named "+04"
    ],
)
def test_local_time_text(moment: datetime, tz: str, expected: str) -> None:
    assert local_time_text(moment, tz) == expected


def test_local_time_text_needs_an_aware_moment() -> None:
    with pytest.raises(ValueError):
        local_time_text(datetime(2024, 3, 4, 15, 0), "America/New_York")
