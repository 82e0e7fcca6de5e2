"""The interview rules: pure functions (no I/O, clock or cloud SDK), used by the orchestrator and the webhook.

- struggle: is a reply essentially a non-answer ("idk", "no idea", "?")?
- keywords: STOP / START / HELP / READY in an inbound SMS.
- knockout: does an answer pass a knockout question's expected answer?
- messages: every SMS text the product sends, kept GSM-7 and short.
- schedule: time zones, quiet hours and resume times.
"""
