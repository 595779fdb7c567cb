"""The staff movements diary: nobody goes out blind, and nobody is left overdue.

Seed 000 asks for an office movements diary (who is going, where, when, who to see, when back),
two officers for an uncertain home visit, and a report back after every visit; seed 001 for the
"who, what, where, when, why" questions before any visit. One job per module:

- ``entries``: logging a visit and the office board (who is out, where, due back);
- ``address_match`` and ``marker_check``: everyone at the address, matched as reception matches
  a visitor, with the marker instructions staff may see;
- ``pairs_rule``: the two-person rule, a manager's override, and flagging existing markers;
- ``check_in``: reporting back (signed in, "I'm back", phoned in), extending, amber in/out;
- ``overdue_rules``: when an entry is overdue (pure: grace, amber timer, office hours, GMT/BST);
- ``overdue_alerts``: raising and escalating the OVERDUE alert; ``overdue_actions``: taking and
  resolving it; ``overdue_audience``: who gets the full alert;
- ``records``: diary history per officer and per address, CSV export, audited views;
- ``figures``: overdue events per month for the leadership report;
- ``desk``: ``MovementsDesk``, the one object the screens and the commands call.
"""
