"""Azure Functions entry points: one blueprint per module, registered by function_app.py."""
