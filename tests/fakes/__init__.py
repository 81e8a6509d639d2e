"""Fake outside services for the tests: small stateful HTTP servers on loopback that speak the
real wire protocols, so that the real clients (plexapi, requests) are what the tests drive."""
