"""Resume files: what a file is (by its bytes), its safe name, the upload body, and its text for the scorer.

Pure logic over bytes: no storage, no database, no HTTP framework.
"""
