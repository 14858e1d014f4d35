; FastAPI and Starlette (a FastAPI app is a Starlette app): the ASGI lifespan runs the start-up
; hooks, so a server that runs no lifespan (Mangum with lifespan="off") needs the request guard.
; See ../README.md for the captures.

; The app:
;   app = FastAPI(title="api")
;   app = Starlette(routes=routes)
(module
  (expression_statement
    (assignment
      left: (identifier) @app.name
      right: (call
        function: (_) @app.constructor) @app.call)) @app
  (#resolves-to? @app.constructor
    "fastapi.FastAPI" "fastapi.applications.FastAPI" "starlette.applications.Starlette"))

; Passed to the constructor, the lifespan runs first (Starlette ignores the start-up handlers
; when a lifespan is given):
;   app = FastAPI(lifespan=lifespan)
(call
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_keyword
      value: (_) @hook.function) @hook @hook.early)
  (#eq? @_keyword "lifespan")) @hook.call

; then the start-up handlers passed to it:
;   app = Starlette(on_startup=[connect])
(call
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_keyword
      value: (_) @hook.function) @hook @hook.early)
  (#eq? @_keyword "on_startup")) @hook.call

; then those registered after, in their order:
;   @app.on_event("startup")
;   async def connect(): ...
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
  (#eq? @_method "on_event")
  (#eq? @_event "startup"))

;   app.add_event_handler("startup", connect)
;   app.router.add_event_handler("startup", connect)
(call
  function: (attribute
    object: (_) @hook.app
    attribute: (identifier) @_method)
  arguments: (argument_list
    .
    (string
      (string_content) @_event)
    .
    (_) @hook.function)
  (#eq? @_method "add_event_handler")
  (#eq? @_event "startup")) @hook

; Shut-down work:
;   @app.on_event("shutdown")
(decorator
  (call
    function: (attribute
      object: (_) @hook.app
      attribute: (identifier) @_method)
    arguments: (argument_list
      .
      (string
        (string_content) @_event)))
  (#eq? @_method "on_event")
  (#eq? @_event "shutdown")) @shutdown

;   app.add_event_handler("shutdown", close)
(call
  function: (attribute
    object: (_) @hook.app
    attribute: (identifier) @_method)
  arguments: (argument_list
    .
    (string
      (string_content) @_event))
  (#eq? @_method "add_event_handler")
  (#eq? @_event "shutdown")) @shutdown

;   app = Starlette(on_shutdown=[close])
(call
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_keyword) @shutdown)
  (#eq? @_keyword "on_shutdown")) @hook.call

; The start-up run by hand (stac-fastapi's Lambda handler):
;   loop.run_until_complete(app.router.startup())
(call
  function: (attribute
    object: (attribute
      object: (_) @hook.app
      attribute: (identifier) @_router)
    attribute: (identifier) @_method)
  (#eq? @_router "router")
  (#any-of? @_method "startup" "lifespan_context" "_startup")) @manual

; loopfix's request guard, already added:
;   app.add_middleware(_InitGuard)
(call
  function: (attribute
    object: (_) @hook.app
    attribute: (identifier) @_method)
  arguments: (argument_list
    .
    (identifier) @guard.target)
  (#eq? @_method "add_middleware")) @guard
