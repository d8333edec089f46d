"""hubsms: administration of SigningHub's Twilio SMS-gateway connectors."""

__version__ = "0.1.0"
