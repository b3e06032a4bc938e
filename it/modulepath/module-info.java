/** The README's consumer on the module path: requires the API module only, nothing else, no --add-modules. */
module example {
    requires dev.openport.core;
}
