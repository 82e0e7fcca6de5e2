"""Keywords: the app must read STOP/START/HELP like Twilio does, and never take an answer for a keyword."""

from __future__ import annotations

import pytest

from shared.interview.keywords import (
    TWILIO_HELP_WORDS,
    TWILIO_OPT_IN_WORDS,
    TWILIO_OPT_OUT_WORDS,
    Keyword,
    classify_keyword,
    is_opt_in_keyword,
)


@pytest.mark.parametrize("word", TWILIO_OPT_OUT_WORDS)
@pytest.mark.parametrize("spelling", [str.upper, str.lower, str.capitalize])
def test_every_twilio_opt_out_word_is_stop_in_any_case(word: str, spelling) -> None:
    assert classify_keyword(spelling(word)) is Keyword.STOP


@pytest.mark.parametrize(
    "body",
    [
        "stop.",
        " STOP ",
        "Stop!!",
        "\nstop\n",
        "STOP 🛑",
        "stoooop",
        "opt-out",
        "Opt out",
        "stop all",
        "S.T.O.P.",
        "Ｓｔｏｐ",
    ],
)
def test_stop_ignores_whitespace_punctuation_emoji_and_repeats(body: str) -> None:
    assert classify_keyword(body) is Keyword.STOP


@pytest.mark.parametrize(
    "body",
    ["please stop", "Stop texting me", "stop messaging me", "remove me", "Do not text me", "unsubscribe me"],
)
def test_unmistakable_opt_out_sentences_are_stop(body: str) -> None:
    assert classify_keyword(body) is Keyword.STOP


@pytest.mark.parametrize(
    "body",
    [
        "I'd stop the line and report it",  # an answer that uses the word
        "stop and think first",
        "We had to cancel the project",
        "In the end it worked",
        "quitting was hard",
        "stopped",
        "unstoppable",
    ],
)
def test_answers_containing_opt_out_words_are_not_stop(body: str) -> None:
    assert classify_keyword(body) is not Keyword.STOP


@pytest.mark.parametrize("body", ["START", "start", "Start.", "UNSTOP", "unstop!"])
def test_start_and_unstop_are_start(body: str) -> None:
    assert classify_keyword(body) is Keyword.START


@pytest.mark.parametrize("body", ["yes", "YES", "Yes.", "yes!!", "yesss"])
def test_yes_is_an_answer_not_start(body: str) -> None:
    # During an interview "yes" answers a question; only for an opted-out number is it an opt-in.
    assert classify_keyword(body) is None
    assert is_opt_in_keyword(body)


@pytest.mark.parametrize("word", TWILIO_OPT_IN_WORDS)
def test_every_twilio_opt_in_word_is_an_opt_in(word: str) -> None:
    assert is_opt_in_keyword(word)
    assert is_opt_in_keyword(f" {word.lower()}. ")


@pytest.mark.parametrize(
    "body", ["yeah", "y", "ok", "start the interview", "yes please start", "👍", "", "stop"]
)
def test_other_messages_are_not_opt_in(body: str) -> None:
    assert not is_opt_in_keyword(body)


@pytest.mark.parametrize("word", TWILIO_HELP_WORDS)
def test_help_and_info_are_help(word: str) -> None:
    assert classify_keyword(word) is Keyword.HELP
    assert classify_keyword(f"{word.lower()}?") is Keyword.HELP


@pytest.mark.parametrize("body", ["I need help with the forms", "help me", "information"])
def test_sentences_with_help_are_not_help(body: str) -> None:
    assert classify_keyword(body) is not Keyword.HELP


@pytest.mark.parametrize(
    "body",
    [
        "READY",
        "ready",
        "Ready!",
        "i'm ready",
        "im ready",
        "I am ready",
        "ready now",
        "I’m ready 👍",
        "redy",
        "raedy",
    ],
)
def test_ready_and_its_variants_are_ready(body: str) -> None:
    assert classify_keyword(body) is Keyword.READY


@pytest.mark.parametrize("body", ["read", "I'm ready to relocate", "already", "not ready"])
def test_near_misses_are_not_ready(body: str) -> None:
    assert classify_keyword(body) is None


@pytest.mark.parametrize(
    "body", ["", "   ", "?", "🤷", "no", "I have 3 years of experience", "x" * 500, "stop " * 40]
)
def test_ordinary_messages_are_no_keyword(body: str) -> None:
    assert classify_keyword(body) is None


def test_keyword_values_are_stable_strings() -> None:
    # Stored and logged by the webhook: renaming a value would break existing rows.
    assert [k.value for k in Keyword] == ["stop", "start", "help", "ready"]
