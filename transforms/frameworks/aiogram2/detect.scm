; aiogram 2: the `on_startup=` handler of the executor runs when polling or the webhook starts.
; A bot without one gets no new hook: add `on_startup=` to the executor's call, or move to
; aiogram 3. See ../README.md for the captures.

; The dispatcher of aiogram 2, built with its bot:
;   dp = Dispatcher(bot)
(module
  (expression_statement
    (assignment
      left: (identifier) @app.name
      right: (call
        function: (_) @app.constructor) @app.call)) @app
  (#resolves-to? @app.constructor "aiogram.Dispatcher" "aiogram.dispatcher.Dispatcher")
  (#positional-arguments? @app.call))

; The start-up handler:
;   executor.start_polling(dp, on_startup=on_startup)
;   executor.start_webhook(dispatcher=dp, webhook_path=PATH, on_startup=on_startup)
(call
  function: (_) @_function
  arguments: (argument_list
    .
    (identifier) @hook.app
    (keyword_argument
      name: (identifier) @_keyword
      value: (_) @hook.function) @hook)
  (#eq? @_keyword "on_startup")
  (#resolves-to? @_function
    "aiogram.utils.executor.start_polling" "aiogram.utils.executor.start_webhook"))
(call
  function: (_) @_function
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_dispatcher
      value: (identifier) @hook.app)
    (keyword_argument
      name: (identifier) @_keyword
      value: (_) @hook.function) @hook)
  (#eq? @_dispatcher "dispatcher")
  (#eq? @_keyword "on_startup")
  (#resolves-to? @_function
    "aiogram.utils.executor.start_polling" "aiogram.utils.executor.start_webhook"))
