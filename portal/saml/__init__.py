"""SPID and CIE login: Sentinella as a SAML2 service provider (djangosaml2 + pysaml2)."""
