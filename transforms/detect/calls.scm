; Candidate calls for the import-time rules (LF001, LF002, LF003). These patterns only find
; shapes; whether a call is asyncio's, and whether it runs at import time, is decided in Rust
; (src/detect.rs), where names are resolved through the module's imports and scopes.

; Pattern 0: a method-style call whose method name is one of asyncio's loop entry points.
;   asyncio.run(main())        aio.get_event_loop()        loop.run_until_complete(c())
;   uvloop.run(main())         asyncio.new_event_loop()    loop.close()
;   runner.run(main())         asyncio.set_event_loop(l)   anyio.run(main)
(call
  function: (attribute
    object: (_) @receiver
    attribute: (identifier) @method)
  arguments: (_) @arguments
  (#any-of? @method
    "run" "run_until_complete" "new_event_loop" "set_event_loop" "get_event_loop" "close")) @call

; Pattern 1: a call of a bare name, which may be imported from asyncio, uvloop or anyio under any
; alias. Rust keeps it only when the name resolves to one of their loop entry points.
;   from asyncio import run as arun          arun(main())
;   from asyncio import get_event_loop       get_event_loop()
(call
  function: (identifier) @function
  arguments: (_) @arguments) @call
