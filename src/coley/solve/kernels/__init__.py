"""Solver kernels: numba code compiled per model, one module per part of the algorithm.

:func:`coley.solve.codegen.generate_source` writes one module per model and integration method:
the model's header (:mod:`coley.solve.kernels.header` lists its names: sizes, ``rhs``, ``jac``,
``dfdt`` and their lane versions, the model events, the status codes) followed by the source
of these modules, each from its marker line on:

* :mod:`~coley.solve.kernels.common`: error norm, LU, dense output, state and model events,
  switches, the initial step, scheduled changes and where a step must stop (``segment``),
  shared by the drivers and the lane kernel;
* one method module per solver, named by the solver's ``kernel``
  (:mod:`~coley.solve.kernels.rodas4`, :mod:`~coley.solve.kernels.dopri5`): its tableau and
  ``method_step``, with ``METHOD_ORDER``, ``METHOD_RHS`` and ``METHOD_FSAL``;
* :mod:`~coley.solve.kernels.drivers`: ``solve_one`` (one patient, any method),
  ``solve_serial`` and ``solve_parallel``;
* optionally the solver's ``lane_kernel`` (:mod:`~coley.solve.kernels.rodas4_lanes`):
  ``solve_lanes`` and ``solve_lanes_parallel``, LANES patients side by side;
* :mod:`~coley.solve.kernels.newton`: ``newton_batch`` for equilibria.

Everything is compiled and cached per model and method; branches on the header's constants
(``HAS_MEVENTS``, ``HAS_SWITCH``, ``HAS_TIME``) are removed by numba before compilation, so event
code is compiled only for models that declare events.

Methods (per patient, adaptive step, error-controlled, dense output):

* Rodas4, L-stable stiffly accurate Rosenbrock method of order 4(3), 6 stages, one LU of
  (I/(h*gamma) - J) per step with the exact Jacobian. Coefficients: Hairer & Wanner, Solving
  ODEs II (2nd ed., 1996), Sec. VI.4, Table 4.3 ("RODAS"), with the order-3 dense output given
  there.
* Dormand & Prince 5(4) (J Comput Appl Math 6:19, 1980), FSAL, with Shampine's 4th-order dense
  output (Math Comp 46:135, 1986).

Discontinuities (bolus doses, resections, infusion switches) are scheduled: the integrator
stops exactly at each, applies it, and restarts. State events (a threshold crossed) are found
by Illinois root finding on the dense output. Outputs are right-continuous: an output time
equal to a discontinuity time reports the state after it.

Model events (declared by the model, e.g. imported from SBML) have a continuous trigger
function g_k(t, y, p, u) and a kind: the trigger is true when g >= 0 (MEV_GE), g > 0 (MEV_GT)
or g == 0 (MEV_EQ). An event fires when its trigger goes from false to true (for MEV_EQ: when
g reaches or crosses 0). The transition is located by Illinois root finding on g along the
dense output; the event's assignments are evaluated (from the values at the trigger time, or
at execution for MEV_UVFTT false) and applied, events made true by them fire in turn
(at most MEV_MAX_ROUNDS rounds), and integration restarts. Events triggered by time alone
(g = t - c(p)) are not searched for: every step that would pass c stops exactly at it.
Simultaneous events execute in MEV_ORDER (priority, then declaration). At the first output
time an event whose trigger is true fires unless its initial value (MEV_INITIAL) is true.
Switches of the right-hand side in time (a dose given as a pulse) are events without
assignments at their times; conditions of time that are not linear (a pulse every 120 h,
written with floor) are switch functions sw_g(t, p, out) (N_SWITCH, HAS_SWITCH), sampled
ahead of each step so that the step stops at the first switch. A step stopping at a switch c
ends at the double below c, and time continues from the double above it.
"""
