"""Staff: signing in (passwords, lockouts, a quick switch at a shared PC) and accounts
(safedesk/services/staff)."""
