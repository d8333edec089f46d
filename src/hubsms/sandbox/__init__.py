"""A local Twilio-compatible SMS sink: it accepts Twilio's Messages API, stores what it
receives, and shows it through its own API, a page and the ``hubsms sandbox`` commands.

The server side uses the standard library only. ``hubsms.sandbox.server.SandboxServer`` is
the entry point; nothing is imported here so that ``import hubsms.sandbox.client`` stays light.
"""
