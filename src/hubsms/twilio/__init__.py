"""Talking to Twilio's REST API: the client (``client``), its overall deadline (``transport``),
retry policy (``retry``), failure wording (``failures``), answer checks (``answers``) and error
codes in words (``codes``). ``hubsms.twilio_client`` re-exports what callers use."""
