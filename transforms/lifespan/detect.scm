; LF006: a call with a `lifespan=` keyword whose value is a string literal. Rust keeps it when the
; callee resolves to `mangum.Mangum` and the string is "off".
;   handler = Mangum(app, lifespan="off")
(call
  function: (_) @function
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_name
      value: (string) @value
      (#eq? @_name "lifespan")))) @call

; The application's start-up hooks, which only run when the lifespan does:
;   @app.on_event("startup")
(decorator
  (call
    function: (attribute
      object: (identifier) @app
      attribute: (identifier) @_method)
    arguments: (argument_list
      (string) @event)
    (#eq? @_method "on_event"))) @startup
