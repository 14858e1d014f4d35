; Quart: `before_serving` functions run when the ASGI lifespan starts, so a server that runs no
; lifespan (Mangum with lifespan="off") needs the request guard, a `before_request` function.
; See ../README.md for the captures.

; The app:
;   app = Quart(__name__)
(module
  (expression_statement
    (assignment
      left: (identifier) @app.name
      right: (call
        function: (_) @app.constructor) @app.call)) @app
  (#resolves-to? @app.constructor "quart.Quart" "quart.app.Quart"))

; Start-up hooks, in their order:
;   @app.before_serving
;   async def connect(): ...
(decorated_definition
  (decorator
    (attribute
      object: (_) @hook.app
      attribute: (identifier) @_method)) @hook
  definition: (function_definition) @hook.function
  (#eq? @_method "before_serving"))

;   app.before_serving(connect)
(call
  function: (attribute
    object: (_) @hook.app
    attribute: (identifier) @_method)
  arguments: (argument_list
    .
    (_) @hook.function .)
  (#eq? @_method "before_serving")) @hook

; Shut-down work:
;   @app.after_serving
;   @app.while_serving
(decorator
  (attribute
    object: (_) @hook.app
    attribute: (identifier) @_method)
  (#any-of? @_method "after_serving" "while_serving")) @shutdown

; The start-up run by hand:
;   loop.run_until_complete(app.startup())
(call
  function: (attribute
    object: (_) @hook.app
    attribute: (identifier) @_method)
  (#eq? @_method "startup")) @manual

; loopfix's request guard, already added:
;   @app.before_request
;   async def _init_before_request(): ...
(decorated_definition
  (decorator
    (attribute
      object: (_) @hook.app
      attribute: (identifier) @_method))
  definition: (function_definition
    name: (identifier) @guard.target)
  (#eq? @_method "before_request")) @guard
