"""Answering: the ``Chatbot`` (bot), the scope decision (scope), sentence selection (selection), the templates (compose) and the notices (safety)."""
