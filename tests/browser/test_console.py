"""The recruiter console in a real browser: a recruiter's whole day, a viewer's read-only view, form errors.

The candidate answers through devhost's phone page in a second tab; the interview runs on the real
orchestrator and is scored by the local scorer, so what the console shows is what the API really returns.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.support.documents import make_pdf

pytestmark = pytest.mark.browser

XSS_ANSWER = "Ten years <script>alert(1)</script> and <img src=x onerror=alert(1)> in production"
ACTIVE_WAIT_MS = 30_000


def never_quiet() -> tuple[str, str]:
    """A one-minute quiet window twelve hours away (+1 415 numbers are on Pacific time)."""
    start = (datetime.now(ZoneInfo("America/Los_Angeles")) + timedelta(hours=12)).replace(
        second=0, microsecond=0
    )
    return f"{start:%H:%M}", f"{start + timedelta(minutes=1):%H:%M}"


def sign_in(page: Page, base_url: str, token: str) -> None:
    page.goto(base_url + "/api/console/")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")).to_be_visible()


def kpi(page: Page, name: str) -> int:
    value = page.locator(f'[data-kpi="{name}"] .kpi-value')
    expect(value).to_have_text(re.compile(r"^\d+$"))
    return int(value.inner_text())


def assert_fits_width(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the {page.viewport_size['width']}px screen"


def assert_renders_no_placeholder(page: Page) -> None:
    """No "null", "undefined" or "NaN" leaked into the page from a missing value."""
    expect(page.locator("main")).not_to_contain_text(re.compile(r"\bnull\b|\bundefined\b|\bNaN\b|\[object"))


def open_nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_recruiter_creates_a_job_and_candidate_runs_an_interview_and_sees_the_score(
    console_host, browser, screenshot_dir
):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    sign_in(page, console_host.url, console_host.token)
    assert page.evaluate("sessionStorage.getItem('interview-ai.token')") == console_host.token
    assert page.evaluate("localStorage.length") == 0
    completed_before = kpi(page, "kpi-completed")
    invited_before = kpi(page, "kpi-invited")

    # A job with three questions, through the form.
    open_nav(page, "Jobs")
    page.get_by_role("link", name=re.compile("New job|Create the first job")).first.click()
    page.get_by_label("Title").fill("Platform Engineer")
    page.get_by_label("Description").fill("Runs our Python services on Azure.")
    page.get_by_label("Requirements").fill("Python\nPostgreSQL")
    editors = page.locator(".question-editor")
    editors.nth(0).get_by_label("Question").fill("How many years of Python have you written?")
    page.get_by_role("button", name="Add question").click()
    editors.nth(1).get_by_label("Question").fill("Describe a hard bug you fixed.")
    page.get_by_role("button", name="Add question").click()
    editors.nth(2).get_by_label("Question").fill("Where have you run Python in production?")
    quiet_start, quiet_end = never_quiet()
    page.get_by_label("Quiet hours start").fill(quiet_start)
    page.get_by_label("Quiet hours end").fill(quiet_end)
    page.screenshot(path=screenshot_dir / "job-form.png", full_page=True)
    page.get_by_role("button", name="Create job").click()
    expect(page.get_by_role("heading", level=1, name="Platform Engineer")).to_be_visible()
    expect(page.locator(".question-list li")).to_have_count(3)
    open_nav(page, "Jobs")
    expect(page.get_by_role("link", name="Platform Engineer")).to_be_visible()
    page.screenshot(path=screenshot_dir / "jobs.png", full_page=True)

    # A candidate, their resume, and the interview.
    open_nav(page, "Candidates")
    form = page.locator("#new-candidate")
    form.get_by_label("Name").fill("Casey Jordan")
    form.get_by_label("Mobile phone").fill("+14155550177")
    form.get_by_label("Email").fill("casey@example.com")
    form.get_by_label("Applied for").select_option(label="Platform Engineer")
    form.get_by_label("The candidate agreed to be interviewed by SMS").check()
    form.get_by_role("button", name="Add candidate").click()
    expect(page.get_by_role("heading", level=1, name="Casey Jordan")).to_be_visible()
    candidate_url = page.url
    pdf = make_pdf(["Casey Jordan\nSenior Python engineer, ten years of Django and PostgreSQL."])
    page.get_by_label("Upload a resume (PDF or DOCX)").set_input_files(
        {"name": "casey-resume.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    page.get_by_role("button", name="Upload resume").click()
    resume = page.locator("section.resume")
    expect(resume).to_contain_text("casey-resume.pdf")
    expect(resume).to_contain_text("Extracted")
    page.screenshot(path=screenshot_dir / "candidate.png", full_page=True)
    # "Open resume" opens a short-lived link to the private blob in a new tab (which downloads the PDF).
    with context.expect_event("request", lambda request: "/resumes/" in request.url) as opened:
        resume.get_by_role("button", name="Open resume").click()
    link = opened.value.url
    assert "sig=" in link
    assert requests.get(link, timeout=10).content == pdf
    open_nav(page, "Candidates")
    expect(page.get_by_role("link", name="Casey Jordan")).to_be_visible()
    page.screenshot(path=screenshot_dir / "candidates.png", full_page=True)
    page.get_by_role("link", name="Casey Jordan").click()
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_role("heading", level=1, name="Interview: Casey Jordan")).to_be_visible()
    interview_url = page.url
    candidate_route = "#/candidates/" + candidate_url.rsplit("/", 1)[1]

    # The candidate answers on the phone page; the third answer tries to inject markup.
    phone = context.new_page()
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    phone.goto(console_host.url + "/dev/phone?to=%2B14155550177")
    answers = ["Seven years, mostly Django and FastAPI", "No idea, sorry", XSS_ANSWER]
    for position, answer in enumerate(answers, 1):
        expect(phone.locator("#thread .bubble.out", has_text=f"Q{position}/3")).to_be_visible(
            timeout=ACTIVE_WAIT_MS
        )
        phone.get_by_label("Reply").fill(answer)
        phone.get_by_role("button", name="Send").click()
        expect(phone.locator("#thread .bubble.in").nth(position - 1)).to_contain_text(answer[:20])
        if position == 1:  # the recruiter's page follows along while the interview runs
            expect(page.locator(".answer-text")).to_have_count(1, timeout=ACTIVE_WAIT_MS)
            expect(page.locator("section.overview .progress-label")).to_have_text(
                re.compile("1 of 3 answered")
            )
            page.screenshot(path=screenshot_dir / "interview-live.png", full_page=True)
    expect(phone.locator("#thread .bubble.in").nth(2)).to_contain_text("<script>alert(1)</script>")
    phone.screenshot(path=screenshot_dir / "phone.png", full_page=True)
    assert phone.locator("#thread img, #thread script").count() == 0
    phone.close()
    page.bring_to_front()  # a background tab renders throttled, which slows every later step

    # The live page follows the interview to its end and shows the score with its evidence.
    overview = page.locator("section.overview")
    expect(overview.locator(".badge").first).to_have_text("completed", timeout=ACTIVE_WAIT_MS)
    expect(page.locator(".score-number")).to_be_visible(timeout=ACTIVE_WAIT_MS)
    score = int(page.locator(".score-number").get_attribute("data-score"))
    assert 0 <= score <= 100
    expect(page.locator("section.score")).to_contain_text("local")
    expect(page.locator(".question-scores > li")).to_have_count(3)
    expect(page.locator(".evidence").first).to_be_visible()
    answer_texts = page.locator(".answer-text")
    expect(answer_texts).to_have_count(3)
    expect(answer_texts.nth(2)).to_have_text(XSS_ANSWER)
    expect(page.locator(".answers li").nth(1).locator(".badge")).to_have_text("Struggling")
    expect(page.locator(".answers li").nth(0).locator(".badge")).to_have_count(0)
    thread = page.locator(".thread .bubble.in .bubble-text")
    expect(thread.nth(2)).to_have_text(XSS_ANSWER)
    expect(page.locator(".thread .bubble.out").first.locator(".badge")).to_have_text(
        re.compile("delivered|sent|queued")
    )
    # The candidate's markup stayed text: no element was made from it and no script ran.
    assert page.locator("main img, main script").count() == 0
    assert dialogs == []
    expect(page.get_by_role("button", name="Rescore")).to_be_visible()
    page.screenshot(path=screenshot_dir / "interview.png", full_page=True)

    # Rescoring keeps working from the page: a second score arrives.
    page.get_by_role("button", name="Rescore").click()
    expect(page.locator("section.score")).to_contain_text("scoring #2", timeout=ACTIVE_WAIT_MS)

    # The resume can be deleted once it is no longer needed.
    page.get_by_role("link", name="Casey Jordan").click()
    page.locator("section.resume").get_by_role("button", name="Delete resume").click()
    page.get_by_role("button", name="Delete the file").click()
    expect(page.locator("section.resume")).to_contain_text("No resume uploaded.")

    # The dashboard counts the new interview.
    open_nav(page, "Dashboard")
    expect(page.locator('[data-kpi="kpi-completed"] .kpi-value')).to_have_text(str(completed_before + 1))
    expect(page.locator('[data-kpi="kpi-invited"] .kpi-value')).to_have_text(str(invited_before + 1))
    expect(page.get_by_role("img", name=re.compile("Interviews by status"))).to_be_visible()
    expect(page.get_by_role("link", name="Platform Engineer")).to_be_visible()
    page.screenshot(path=screenshot_dir / "dashboard.png", full_page=True)

    # Admins mint tokens; the secret is shown once.
    open_nav(page, "Tokens")
    page.get_by_label("Label").fill("Screen in the office")
    page.get_by_label("Role").select_option("viewer")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token-secret")
    expect(secret).to_have_value(re.compile(r"^iai_"))
    expect(page.locator("table.data")).to_contain_text("Screen in the office")
    page.screenshot(path=screenshot_dir / "tokens.png", full_page=True)

    # On a phone-sized screen every page fits the width.
    page.set_viewport_size(PHONE)
    interview_route = interview_url.split("/api/console/")[1]
    for route, ready, name in (
        ("#/dashboard", ".chart svg", "dashboard-phone"),
        (interview_route, ".score-number", "interview-phone"),
        ("#/jobs/new", ".question-editor", "job-form-phone"),
        ("#/candidates", "table.data", "candidates-phone"),
        (candidate_route, "section.resume", "candidate-phone"),
        ("#/interviews", "table.data", "interviews-phone"),
        ("#/tokens", "table.data", None),
    ):
        page.goto(console_host.url + "/api/console/" + route)
        expect(page.locator(f"main {ready}").first).to_be_visible()
        assert_renders_no_placeholder(page)
        assert_fits_width(page)
        if name:
            page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API token")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('interview-ai.token')") is None
    assert page_errors == []
    context.close()


def test_viewer_sees_everything_and_no_write_control(console_host, browser):
    host = console_host
    job = host.api("POST", "/api/jobs", {"title": "Read-only role", "questions": [{"text": "Why?"}]})
    candidate = host.api(
        "POST",
        "/api/candidates",
        {"name": "Vic Viewer", "phone": "+14155550188", "job_id": job["id"], "sms_consent": True},
    )
    interview = host.api("POST", "/api/interviews", {"candidate_id": candidate["id"], "job_id": job["id"]})
    viewer = host.api("POST", "/api/tokens", {"role": "viewer", "label": "wallboard"})["token"]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()

    # Signing in works from the keyboard alone: the token field follows the focused heading.
    page.goto(host.url + "/api/console/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("API token")).to_be_focused()
    page.keyboard.type(viewer)
    page.keyboard.press("Enter")
    expect(page.locator(".who")).to_contain_text("wallboard")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Dashboard", "Jobs", "Candidates", "Interviews"])

    for route, visible in (
        ("#/dashboard", "Dashboard"),
        ("#/jobs", "Read-only role"),
        (f"#/jobs/{job['id']}", "Why?"),
        ("#/candidates", "Vic Viewer"),
        (f"#/candidates/{candidate['id']}", "No resume uploaded."),
        ("#/interviews", "Vic Viewer"),
        (f"#/interviews/{interview['id']}", "SMS conversation"),
    ):
        page.goto(f"{host.url}/api/console/{route}")
        expect(page.locator("main")).to_contain_text(visible)
        page.wait_for_load_state("networkidle")
        assert_renders_no_placeholder(page)
        write_controls = page.locator(
            "main form:not([role=search]) button[type=submit], main input[type=file], main .button.primary, "
            "main .button.danger"
        )
        expect(write_controls).to_have_count(0)
        for name in (
            "New job",
            "Edit job",
            "Delete job",
            "Start interview",
            "Upload resume",
            "Add candidate",
            "Delete candidate",
            "Reschedule",
            "Cancel interview",
            "Rescore",
        ):
            expect(page.get_by_role("button", name=name)).to_have_count(0)
            expect(page.get_by_role("link", name=name)).to_have_count(0)

    page.goto(f"{host.url}/api/console/#/tokens")
    expect(page.get_by_role("alert")).to_contain_text("Only admins manage API tokens.")
    context.close()


def test_validation_errors_are_shown_next_to_their_fields(console_host, browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, console_host.url, console_host.token)
    page.goto(console_host.url + "/api/console/#/jobs/new")
    editor = page.locator(".question-editor").first
    editor.get_by_label("Question").fill("Do you hold a work permit?")
    editor.get_by_label("Knockout: a wrong answer ends the interview").check()
    page.get_by_label("Answer timeout (minutes)").fill("0")
    page.get_by_role("button", name="Create job").click()

    summary = page.locator(".form-problem")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Unprocessable Content")
    title = page.get_by_label("Title")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_be_focused()
    title_error = page.locator(".field", has=title).locator(".field-error")
    expect(title_error).to_contain_text("at least 1 character")
    timeout = page.get_by_label("Answer timeout (minutes)")
    expect(timeout).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field", has=timeout).locator(".field-error")).to_contain_text(
        "greater than or equal to 1"
    )
    expect(editor.locator(".group-error").first).to_contain_text("knockout question needs expected_answer")

    # Fixing the fields clears the errors and creates the job.
    title.fill("Warehouse lead")
    timeout.fill("60")
    editor.get_by_label("Expected answer").fill("yes")
    page.get_by_role("button", name="Create job").click()
    expect(page.get_by_role("heading", level=1, name="Warehouse lead")).to_be_visible()
    expect(page.locator(".question-list")).to_contain_text("expected: yes")

    # Editing: a second question, moved to the top, and a new title.
    page.get_by_role("link", name="Edit job").click()
    page.get_by_role("button", name="Add question").click()
    editors = page.locator(".question-editor")
    editors.nth(1).get_by_label("Question").fill("How many years have you led a team?")
    editors.nth(1).get_by_role("button", name="Move up").click()
    page.get_by_label("Title").fill("Warehouse team lead")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1, name="Warehouse team lead")).to_be_visible()
    expect(page.locator(".question-list .question-text")).to_have_text(
        ["How many years have you led a team?", "Do you hold a work permit?"]
    )
    context.close()


def test_recruiter_reschedules_then_cancels_a_live_interview(console_host, browser):
    host = console_host
    quiet_start, quiet_end = never_quiet()
    job = host.api("POST", "/api/jobs", {
        "title": "Night shift supervisor", "questions": [{"text": "Can you work nights?"}, {"text": "Since when?"}],
        "interview_settings": {"greeting_enabled": False, "quiet_hours_start": quiet_start, "quiet_hours_end": quiet_end},
    })  # fmt: skip
    candidate = host.api(
        "POST", "/api/candidates", {"name": "Robin Reyes", "phone": "+14155550199", "sms_consent": True}
    )
    interview = host.api("POST", "/api/interviews", {"candidate_id": candidate["id"], "job_id": job["id"]})
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, host.url, host.token)
    page.goto(f"{host.url}/api/console/#/interviews/{interview['id']}")
    status = page.locator("section.overview .status-line .badge")
    expect(status).to_have_text("in progress", timeout=ACTIVE_WAIT_MS)
    expect(page.locator(".thread .bubble.out")).to_contain_text("Can you work nights?")

    later = (datetime.now() + timedelta(days=2)).replace(hour=11, minute=30)
    page.get_by_label("Continue at (your local time)").fill(f"{later:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Reschedule").click()
    expect(status).to_have_text("paused", timeout=ACTIVE_WAIT_MS)
    expect(page.locator("section.overview")).to_contain_text("Continues")

    page.get_by_role("button", name="Cancel interview").click()
    confirm = page.get_by_role("button", name="Cancel it")
    expect(confirm).to_be_focused()
    confirm.click()
    expect(status).to_have_text("cancelled", timeout=ACTIVE_WAIT_MS)
    expect(page.locator("section.actions-card")).to_contain_text("Nothing to do")
    assert host.api("GET", f"/api/interviews/{interview['id']}")["status"] == "cancelled"
    context.close()
