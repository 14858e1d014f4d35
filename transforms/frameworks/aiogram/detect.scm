; aiogram 3: the start-up handlers of `dp.startup` run when polling or the webhook starts
; (aiogram 2 is in ../aiogram2). See ../README.md for the captures.

; The dispatcher of aiogram 3, built without a bot (the start-up observer is new in 3):
;   dp = Dispatcher()
(module
  (expression_statement
    (assignment
      left: (identifier) @app.name
      right: (call
        function: (_) @app.constructor) @app.call)) @app
  (#resolves-to? @app.constructor
    "aiogram.Dispatcher" "aiogram.dispatcher.dispatcher.Dispatcher" "aiogram.dispatcher.Dispatcher")
  (#no-positional-arguments? @app.call))

; Start-up handlers, in their order:
;   @dp.startup()
;   async def on_startup(bot: Bot): ...
(decorated_definition
  (decorator
    (call
      function: (attribute
        object: (_) @hook.app
        attribute: (identifier) @_method))) @hook
  definition: (function_definition) @hook.function
  (#eq? @_method "startup"))

;   dp.startup.register(on_startup)
(call
  function: (attribute
    object: (attribute
      object: (_) @hook.app
      attribute: (identifier) @_observer)
    attribute: (identifier) @_method)
  arguments: (argument_list
    .
    (_) @hook.function)
  (#eq? @_observer "startup")
  (#eq? @_method "register")) @hook

; Shut-down work:
;   @dp.shutdown()
;   dp.shutdown.register(on_shutdown)
(call
  function: (attribute
    object: (_) @hook.app
    attribute: (identifier) @_method)
  (#eq? @_method "shutdown")) @shutdown
(call
  function: (attribute
    object: (attribute
      object: (_) @hook.app
      attribute: (identifier) @_observer)
    attribute: (identifier) @_method)
  (#eq? @_observer "shutdown")
  (#eq? @_method "register")) @shutdown
