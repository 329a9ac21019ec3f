"""Serving: the running index and its swaps (service), the HTTP API (api), the chat page (web, page_html) and feedback."""
