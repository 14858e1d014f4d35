; Litestar: the lifespan context managers, then the `on_startup` hooks, run when the ASGI
; lifespan starts, so a server that runs no lifespan (Mangum with lifespan="off") needs the
; request guard, a middleware put first in `middleware=[...]`. See ../README.md for the captures.

; The app:
;   app = Litestar(route_handlers=[rate])
(module
  (expression_statement
    (assignment
      left: (identifier) @app.name
      right: (call
        function: (_) @app.constructor) @app.call)) @app
  (#resolves-to? @app.constructor "litestar.Litestar" "litestar.app.Litestar"))

; Passed to the constructor, in the order Litestar runs them:
;   app = Litestar(lifespan=[db_connection])
(call
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_keyword
      value: (_) @hook.function) @hook @hook.early)
  (#eq? @_keyword "lifespan")) @hook.call

;   app = Litestar(on_startup=[connect])
(call
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_keyword
      value: (_) @hook.function) @hook @hook.early)
  (#eq? @_keyword "on_startup")) @hook.call

; Shut-down work:
;   app = Litestar(on_shutdown=[close])
(call
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_keyword) @shutdown)
  (#eq? @_keyword "on_shutdown")) @hook.call

; loopfix's request guard, already added:
;   app = Litestar(middleware=[_InitGuard])
(call
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_keyword
      value: (list
        .
        (identifier) @guard.target)) @guard)
  (#eq? @_keyword "middleware")) @hook.call
