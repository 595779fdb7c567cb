"""Staff accounts: signing in, passwords, accounts and the guard against guessing."""
