; aiohttp.web: the `on_startup` signal runs when the application starts, under `web.run_app`,
; gunicorn's aiohttp worker and the test server alike. See ../README.md for the captures.

; The app:
;   app = web.Application()
(module
  (expression_statement
    (assignment
      left: (identifier) @app.name
      right: (call
        function: (_) @app.constructor) @app.call)) @app
  (#resolves-to? @app.constructor "aiohttp.web.Application" "aiohttp.web_app.Application"))

; The cleanup contexts run first (the application registers them on `on_startup` when it is
; built), up to their `yield`:
;   app.cleanup_ctx.append(db_context)
(call
  function: (attribute
    object: (attribute
      object: (_) @hook.app
      attribute: (identifier) @_signal)
    attribute: (identifier) @_method)
  arguments: (argument_list
    .
    (_) @hook.function)
  (#eq? @_signal "cleanup_ctx")
  (#eq? @_method "append")) @hook @hook.early

; then the start-up handlers, in their order:
;   app.on_startup.append(connect)
(call
  function: (attribute
    object: (attribute
      object: (_) @hook.app
      attribute: (identifier) @_signal)
    attribute: (identifier) @_method)
  arguments: (argument_list
    .
    (_) @hook.function)
  (#eq? @_signal "on_startup")
  (#eq? @_method "append")) @hook

; Shut-down work:
;   app.on_cleanup.append(close)
;   app.on_shutdown.append(close)
(call
  function: (attribute
    object: (attribute
      object: (_) @hook.app
      attribute: (identifier) @_signal)
    attribute: (identifier) @_method)
  (#any-of? @_signal "on_cleanup" "on_shutdown")
  (#eq? @_method "append")) @shutdown
