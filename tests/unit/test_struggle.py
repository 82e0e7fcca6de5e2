"""Struggle detection: which replies are non-answers, and which real answers must never look like one."""

from __future__ import annotations

import builtins
import os
import socket

import pytest

from shared.interview import struggle
from shared.interview.struggle import is_struggling

STRUGGLING = [
    # empty, punctuation, emoji
    "",
    "   ",
    "?",
    "??",
    "...",
    "🤷",
    "🤷‍♂️",
    "😕",
    "🤔🤔",
    # the classic phrases, any casing and punctuation
    "idk",
    "IDK!!",
    "Idk.",
    "idkkkk",
    "idek",
    "I don't know",
    "i dont know",
    "I DON’T KNOW",  # curly apostrophe
    "I don t know",  # apostrophe typed as a space
    "I do not know",
    "dont know",
    "dunno",
    "dunnooo",
    "i donno",
    "no clue",
    "No idea",
    "noooo ideaaa",
    "not sure",
    "Not really sure",
    "not 100% sure",
    "I'm not sure what you mean",
    "what do you mean",
    "what do you mean??",
    "wdym",
    "i don't understand",
    "I dont get it",
    "can you repeat that",
    "can u repeat the question pls",
    "Could you explain the question?",
    "say again?",
    "come again?",
    "pass",
    "skip",
    "next question please",
    "i give up",
    "hmm",
    "hmmmm",
    "umm",
    "Uhm... what?",
    "what",
    "who?",
    "skip this one",
    "huh?",
    "what?",
    "Sorry?",
    "lol",
    # typos of the key words
    "i dont kno",
    "i dnt knw",
    "I dont nkow",
    "i dont now",
    "no ieda",
    "not suer",
    # fillers and politeness around a non-answer
    "Honestly I have no idea lol",
    "sorry, I really don't know",
    "idk man",
    "tbh no clue",
    "Idk 🤷",
    "no clue, sorry!",
    "well um I guess I don't know",
    "Hmm let me think",
    # the thing not known may be named
    "I don't know what a REST API is",
    "no idea what kubernetes is",
    "What do you mean by stakeholder management?",
    "what is devops?",
    "I don't know much about cloud computing",
    "not sure how to answer that",
    "I don't know the difference between TCP and UDP",  # "and" inside the object does not split it
    # other languages
    "no se",
    "No sé",
    "keine ahnung",
    "je sais pas",
    "não sei",
]

REAL_ANSWERS = [
    # the phrase is there, but so is an answer
    "I don't know Java but I've used Kotlin for 3 years",
    "Not sure about the exact number, but we grew revenue 40%",
    "I have no idea how anyone codes without tests, I write them first",
    "Not sure, maybe 5",
    "idk, like 3?",
    "I don't know, I guess around 10 people",
    "Honestly, I don't know everything, but I learn fast",
    "I'm not sure I'd call it leadership, but I mentored two juniors",
    "Not sure if this counts, I volunteered at a food bank",
    "No idea was too small for our team; we tried everything",
    "I do not know of a better tool than Excel for that",
    "I don't know of any project I failed; all shipped on time",
    "The team was not sure about the deadline so I set one",
    "Our manager was not sure how to fix the outage",
    "I don't know the details and we used Kafka for streaming",
    # words that look like struggle words
    "I give up my weekends to volunteer",
    "Pass rate of my students was 95%",
    "I passed the exam",
    "I can pass a background check",
    "Skip logic in surveys, I built that at Qualtrics",
    "What is important to me is teamwork",
    "I insure cars",  # one key off "unsure", but a real word
    "I'm sure",
    "I do know",
    # short answers
    "yes",
    "Yeah",
    "Y",
    "no",
    "N",
    "Nope",
    "never",
    "none",
    "not really",
    "Not yet",
    "ok",
    "k",
    "sure",
    "maybe",
    "I do",
    "I am",
    "I don't",
    "I am not",
    "I don't have one",
    "No I don't",
    "unfortunately no",
    "👍",
    "👎",
    "5",
    "3 years",
    "10+",
    "40%",
    "$20/hr",
    "Python",
    "Never heard of it",
    # function words only: not an answer to parse, but no sign of struggling either
    "All of them",
    "AM",
    "now",
    "One",
    "anything",
    "me too",
    # ordinary answers
    "Yes, I have a forklift license",
    "I have 5 years of experience with React and Node",
    "Hmm, I'd say about 5 years",
    "Sorry for the delay! I have 4 years in retail",
    "I've never used it",
    "[media message]",
    "Я работал 3 года",  # other scripts are words too
    "我做了三年",
]


def test_the_tables_are_large_enough() -> None:
    assert len(STRUGGLING) >= 40 and len(REAL_ANSWERS) >= 40
    assert not set(STRUGGLING) & set(REAL_ANSWERS)


@pytest.mark.parametrize("reply", STRUGGLING)
def test_non_answers_are_struggling(reply: str) -> None:
    assert is_struggling(reply) is True


@pytest.mark.parametrize("reply", REAL_ANSWERS)
def test_real_answers_are_not_struggling(reply: str) -> None:
    assert is_struggling(reply) is False


def test_a_long_object_turns_a_struggle_phrase_into_an_answer() -> None:
    # Up to MAX_OBJECT_WORDS content words are "what I don't know"; more make it an answer.
    assert struggle.MAX_OBJECT_WORDS == 2
    assert is_struggling("I have no idea what a REST API is")
    assert not is_struggling("I have no idea what a REST API gateway does")


@pytest.mark.parametrize(
    "reply",
    [
        "I don't know Java",
        "I don't understand Spanish",
        "I don't know how to swim",
        "I don't know anyone at the company",
        "I do not know the details of that contract",
    ],
)
def test_not_knowing_a_named_thing_is_an_answer(reply: str) -> None:
    # "Do you speak Spanish?" "I don't understand Spanish": a clear answer, not a candidate who is stuck.
    assert not is_struggling(reply)


@pytest.mark.parametrize(
    "reply", ["I don't know what you mean", "I don't know how to answer that", "I don't know the answer"]
)
def test_not_knowing_the_question_or_answer_is_struggling(reply: str) -> None:
    assert is_struggling(reply)


def test_bare_phrases_take_no_object() -> None:
    assert is_struggling("I forgot")
    assert not is_struggling("I forgot to mention I have a CDL")


def test_question_only_phrases_need_a_question_mark() -> None:
    assert is_struggling("What is a sprint?")
    assert not is_struggling("What is a sprint for me: two weeks of focused work")


def test_a_long_answer_with_a_struggle_phrase_at_the_end_is_an_answer() -> None:
    answer = "I ran the night shift for a warehouse of 40 people and cut picking errors by a third. " * 20
    assert not is_struggling(answer + "Not sure what else to add.")


def test_many_struggling_clauses_are_still_struggling() -> None:
    assert is_struggling("I don't know. I'm not sure what the question is asking. Can you repeat it?")


def test_same_reply_same_verdict_every_time() -> None:
    # The webhook's verdict is replayed by the orchestrator: it must not depend on call order or caches.
    first = [is_struggling(reply) for reply in STRUGGLING + REAL_ANSWERS]
    second = [is_struggling(reply) for reply in reversed(STRUGGLING + REAL_ANSWERS)]
    assert first == list(reversed(second))


def test_struggle_detection_does_no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    # A speed guarantee that can be tested without a clock: the hot path never opens a file or a socket.
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("is_struggling must not do I/O")

    struggle._readings.cache_clear()  # so cold-cache paths run under the guard too
    monkeypatch.setattr(builtins, "open", forbidden)
    monkeypatch.setattr(os, "open", forbidden)
    monkeypatch.setattr(socket, "socket", forbidden)
    for reply in STRUGGLING + REAL_ANSWERS + ["zzqx unknown wordz 12", "i dontt knoww"]:
        is_struggling(reply)


def test_the_typo_memo_is_bounded() -> None:
    # The only state is a bounded memo of per-word typo readings, so a flood of odd words cannot grow it.
    assert struggle._readings.cache_info().maxsize is not None
