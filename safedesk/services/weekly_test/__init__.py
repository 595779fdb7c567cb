"""The weekly panic alarm test (seed 000: tested every week).

How a test runs:

1. A signed-in member of staff starts a test for one button (or all): ``starting``. The button
   gets a *test window* of ``weekly_test.window_s`` seconds (default 120): an ``alarm_tests`` row
   with result ``pending``. A button that is offline cannot be tested: the attempt is recorded at
   once as a fail with reason ``device_offline`` and the tester is told so.
2. The tester presses the button. The alarm path (``services/alarms/alarm_service.py``) sees the
   open window and records a TEST, not an alarm (``test_press_rule``): it fills
   ``pressed_at``/``received_at``/``latency_ms`` on the row and responder screens show
   "TEST — <room>". A press from any button outside its own window is always a real alarm.
3. The tester records what happened (``results``): heard on a responder screen (or the screen
   that did not sound, ``screens``), did the button's LED change, notes. Pass needs a press,
   heard, LED changed.
4. ``expire_windows(now)`` (``expiry``, called from a timer) closes windows that saw no press:
   fail, reason ``no_signal``.

The modules:

- ``test_week``: when the office's test week starts and when an untested button is overdue
- ``refusals``: why an action is refused, and the signed-in staff check every action starts with
- ``starting``: opening a button's test window, or one for every button ("Start all")
- ``test_press_rule``: which open window a press completes (one button per tester at a time)
- ``expiry``: closing windows that saw no press
- ``results``: recording the tester's findings and the verdict
- ``screens``: which of the office's screens could have sounded
- ``checklist``: this week's checklist, its counts and the header line (OVERDUE, failed, late)
- ``history``, ``export``, ``report``: past tests, the year grid and CSV, the printable report
- ``desk``: ``WeeklyTestDesk``, the services with their own transactions for widgets and the CLI
"""
