"""Signed auto-update: feed, TUF verification, install with rollback, the release command.

``feed`` reads the GitHub-Releases-shaped list and picks a version by channel,
``trust`` verifies with python-tuf against the root metadata shipped in the app,
``install`` swaps the verified version into the app's virtualenv and back,
``service`` runs all of it in the supervisor without blocking its loop, and
``publish`` is the release command that builds and signs what the feed serves.
"""
