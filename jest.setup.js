// Registers cdktf's matchers (toHaveResourceWithProperties and friends).
require("cdktf").Testing.setupJest();
