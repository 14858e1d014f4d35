from mangum import Mangum

import legacy

handler = Mangum(legacy.app, lifespan="off")
