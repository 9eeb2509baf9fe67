"""End-to-end tests: the real `hicp serve` in a child process, driven by headless Chromium.

They use the system's Chromium (Debian's `chromium` package) through Playwright, never a
browser that Playwright downloads. Without Chromium they are skipped with the reason, unless
HICP_E2E_REQUIRED=1 (as in CI), where they fail and say how to install it.
"""
