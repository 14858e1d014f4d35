; discord.py 2: `setup_hook` runs once, when the client logs in, before it connects.
; See ../README.md for the captures.

; The client (or bot), also an instance of a subclass of the module:
;   client = discord.Client(intents=intents)
;   bot = commands.Bot(command_prefix="!", intents=intents)
;   client = RatesBot(intents=intents)     where class RatesBot(discord.Client)
(module
  (expression_statement
    (assignment
      left: (identifier) @app.name
      right: (call
        function: (_) @app.constructor) @app.call)) @app
  (#resolves-to? @app.constructor
    "discord.Client" "discord.client.Client" "discord.AutoShardedClient"
    "discord.ext.commands.Bot" "discord.ext.commands.AutoShardedBot"
    "discord.ext.commands.bot.Bot" "discord.ext.commands.bot.AutoShardedBot"))

; The hook, a method of the client's class:
;   class RatesBot(discord.Client):
;       async def setup_hook(self) -> None: ...
(class_definition
  name: (identifier) @hook.class
  body: (block
    (function_definition
      name: (identifier) @_name) @hook @hook.function)
  (#eq? @_name "setup_hook"))

; or set on the client:
;   @client.event
;   async def setup_hook() -> None: ...
(decorated_definition
  (decorator
    (attribute
      object: (_) @hook.app
      attribute: (identifier) @_method)) @hook
  definition: (function_definition
    name: (identifier) @_name) @hook.function
  (#eq? @_method "event")
  (#eq? @_name "setup_hook"))
