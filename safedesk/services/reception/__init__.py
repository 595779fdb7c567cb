"""Reception: booking visitors in, room choice, finding a person despite variants, the desk, identity corrections.

- ``booking``: booking a visitor in at the desk in one transaction (``book_in``), walk-ins.
- ``meetings``: meetings an officer registers in advance (high-risk ones shown beforehand).
- ``day_list``: the day's list of visits at an office.
- ``visit_warnings``: matching the visitor again, acknowledging and dismissing flag warnings.
- ``room_assignment``: giving a visit a room (the room rule, one visitor a room).
- ``arrival``: the visitor arrives (warnings acknowledged first) and leaves.
- ``host_officer``: who can host, and the host's "Your visitor has arrived" notice.
- ``alarm_problems``: flagged visitors in a room whose panic alarm stopped working.
- ``visit_view``: one visit as the screens read it, and ``VisitError``.
- ``room_choice``: which rooms a visitor may be given, and a manager's override.
- ``person_search``, ``match_reasons``, ``walk_in_name``: finding the person, and why.
- ``person_identity``: correcting who a record says a person is.
- ``desk``: ``ReceptionDesk``, what the reception and host screens ask of the core.
"""
