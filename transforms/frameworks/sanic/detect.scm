; Sanic: `before_server_start` listeners run when the server starts (under an ASGI server, when
; the lifespan starts), so a server that runs no lifespan needs the request guard, an
; `on_request` middleware. See ../README.md for the captures.

; The app:
;   app = Sanic("rates")
(module
  (expression_statement
    (assignment
      left: (identifier) @app.name
      right: (call
        function: (_) @app.constructor) @app.call)) @app
  (#resolves-to? @app.constructor "sanic.Sanic" "sanic.app.Sanic"))

; Start-up listeners, in their order:
;   @app.before_server_start
;   async def connect(app): ...
(decorated_definition
  (decorator
    (attribute
      object: (_) @hook.app
      attribute: (identifier) @_method)) @hook
  definition: (function_definition) @hook.function
  (#eq? @_method "before_server_start"))

; called:
;   @app.before_server_start()
;   async def connect(app): ...
(decorated_definition
  (decorator
    (call
      function: (attribute
        object: (_) @hook.app
        attribute: (identifier) @_method))) @hook
  definition: (function_definition) @hook.function
  (#eq? @_method "before_server_start"))

;   @app.listener("before_server_start")
(decorated_definition
  (decorator
    (call
      function: (attribute
        object: (_) @hook.app
        attribute: (identifier) @_method)
      arguments: (argument_list
        .
        (string
          (string_content) @_event)))) @hook
  definition: (function_definition) @hook.function
  (#eq? @_method "listener")
  (#eq? @_event "before_server_start"))

;   app.register_listener(connect, "before_server_start")
(call
  function: (attribute
    object: (_) @hook.app
    attribute: (identifier) @_method)
  arguments: (argument_list
    .
    (_) @hook.function
    .
    (string
      (string_content) @_event))
  (#eq? @_method "register_listener")
  (#eq? @_event "before_server_start")) @hook

;   app.before_server_start(connect)
(call
  function: (attribute
    object: (_) @hook.app
    attribute: (identifier) @_method)
  arguments: (argument_list
    .
    (identifier) @hook.function)
  (#eq? @_method "before_server_start")) @hook

; Shut-down work:
;   @app.before_server_stop / @app.after_server_stop
(decorator
  [
    (attribute
      object: (_) @hook.app
      attribute: (identifier) @_method)
    (call
      function: (attribute
        object: (_) @hook.app
        attribute: (identifier) @_method))
  ]
  (#any-of? @_method "before_server_stop" "after_server_stop")) @shutdown

; loopfix's request guard, already added:
;   @app.on_request
;   async def _init_on_request(request): ...
(decorated_definition
  (decorator
    (attribute
      object: (_) @hook.app
      attribute: (identifier) @_method))
  definition: (function_definition
    name: (identifier) @guard.target)
  (#eq? @_method "on_request")) @guard
