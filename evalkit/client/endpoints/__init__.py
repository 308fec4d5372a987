"""Pure request builders, one per API call: arguments in, an ``ApiRequest`` out.

Both the sync and the async client send exactly what these return, so each endpoint's wire
shape (method, path, query names, body, retry policy, answer model) is written once.
"""
