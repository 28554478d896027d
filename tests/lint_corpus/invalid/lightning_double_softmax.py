import torch
import torch.nn.functional as F
import pytorch_lightning as pl
from torch import nn
from torchmetrics import Accuracy


class LitClassifier(pl.LightningModule):
    def __init__(self, num_classes=10):
        super().__init__()
        self.l1 = nn.Linear(28 * 28, 256)
        self.l2 = nn.Linear(256, num_classes)
        self.acc = Accuracy(task="multiclass", num_classes=num_classes)  # expect: HC306

    def forward(self, x):
        x = torch.relu(self.l1(x.view(x.size(0), -1)))
        return torch.softmax(self.l2(x), dim=-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        y_hat = self(x)
        loss = F.cross_entropy(y_hat, y)  # expect: HC105
        self.log("train_acc", self.acc(y_hat, y))
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)
