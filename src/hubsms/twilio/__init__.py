"""Talking to Twilio's REST API: the client (``client``), its overall deadline (``transport``),
retry policy (``retry``), failure wording (``failures``), answer checks (``answers``), error
codes in words (``codes``) and the Messaging API's host (``messaging``)."""
