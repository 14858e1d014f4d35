; What serves an app, and the sub-apps that are served only through another.

; A call that may serve an app: Rust keeps it when the callee resolves to `mangum.Mangum` (AWS
; Lambda's adapter: its lifespan is the `lifespan=` keyword or the second positional argument),
; `uvicorn.run` or `aiohttp.web.run_app`, and reads the app from its first argument (or `app=`):
;   handler = Mangum(app, lifespan="off")
;   uvicorn.run(app, port=8000)
(call
  function: (_) @serve.function
  arguments: (argument_list) @serve.arguments) @serve

; A sub-app mounted under another, served through it:
;   app.mount("/v1", api)
(call
  function: (attribute
    attribute: (identifier) @_method)
  arguments: (argument_list
    .
    (_)
    .
    (identifier) @mounted)
  (#eq? @_method "mount"))

;   app.mount("/v1", app=api)
;   routes = [Mount("/v1", app=api)]
(call
  function: [
    (attribute
      attribute: (identifier) @_method)
    (identifier) @_method
  ]
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_keyword
      value: (identifier) @mounted))
  (#any-of? @_method "mount" "Mount")
  (#eq? @_keyword "app"))
