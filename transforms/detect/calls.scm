; Candidate calls for the import-time rules (LF001, LF002, LF003): every call, with its callee
; and its argument list. Which shapes count is decided in Rust (src/detect/mod.rs), where names
; are resolved through the module's imports and scopes:
;
;   a method-style call (the callee is an attribute) whose method is one of asyncio's loop
;   entry points: run, run_until_complete, new_event_loop, set_event_loop, get_event_loop,
;   close:
;     asyncio.run(main())        aio.get_event_loop()        loop.run_until_complete(c())
;     uvloop.run(main())         asyncio.new_event_loop()    loop.close()
;     runner.run(main())         asyncio.set_event_loop(l)   anyio.run(main)
;
;   a call of a bare name, kept only when the name resolves to a loop entry point imported
;   from asyncio, uvloop or anyio under any alias:
;     from asyncio import run as arun          arun(main())
;     from asyncio import get_event_loop       get_event_loop()
;
; One pattern with no predicate: tree-sitter compiles it in a third of the time that the two
; patterns with an `#any-of?` took, and every run that analyses a file pays that compilation.
(call
  function: (_) @function
  arguments: (_) @arguments) @call
