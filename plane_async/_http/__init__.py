"""HTTP: the exchange (``exchange``: one request in, a status, headers and body out;
``aiohttp_exchange``: the default, over aiohttp), the transport that sends through the
limiter and follows the retry policy (``transport``, ``retry``, ``answer``, ``body``,
``values``), the wait budget, and presigned uploads and downloads (``storage``)."""
